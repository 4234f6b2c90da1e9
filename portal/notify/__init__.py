"""Notifications: the outbox and the emails it sends."""
