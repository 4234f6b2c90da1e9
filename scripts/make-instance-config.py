"""Prints a fresh instance/config.py for a development machine (a random SECRET_KEY)."""

import secrets

print('"""Local settings for this machine. Not in git. See README.md for every option."""')
print()
print(f"SECRET_KEY = {secrets.token_hex(32)!r}")
