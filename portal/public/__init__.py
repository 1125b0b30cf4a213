"""Public pages: the home page, safety pages, quick exit and the public page shell."""
