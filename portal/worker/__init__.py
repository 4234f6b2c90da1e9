"""The background worker: one loop for captures, liveness checks, mail and escalation."""
