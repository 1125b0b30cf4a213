"""Resource models arrive with the resources issue; the app exists so others can build on it."""
