"""Capture: link snapshots that survive deletion, liveness checks, the official-account
registry, evidence bundles and the background worker."""
