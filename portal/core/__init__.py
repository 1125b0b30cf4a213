"""Small building blocks shared by the portal's apps (not an app itself)."""
