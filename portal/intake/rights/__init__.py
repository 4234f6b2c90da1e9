"""The resident's own data on the status page: see, correct, delete, download."""
