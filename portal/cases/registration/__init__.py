"""Registering a formal laporan: completion requests, registration numbers, the official form."""
