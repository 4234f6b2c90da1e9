"""Two-step sign-in for staff: TOTP codes from an authenticator app, and recovery codes."""
