"""Staff accounts: login, roles and administration."""
