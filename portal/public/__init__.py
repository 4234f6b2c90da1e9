"""What the public sees: transparency, open data and Open311."""
