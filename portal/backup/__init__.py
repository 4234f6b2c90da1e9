"""Backups you can restore: the database and every stored file, with a manifest of hashes."""
