"""Reporters' identities held by custodians, and reporters at risk of retaliation."""
