"""The benchmark: a realistic dataset at two sizes, and the key pages measured on it."""
