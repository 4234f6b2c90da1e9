"""Proof: RFC 3161 trusted timestamps of evidence, and the install's Ed25519 signatures."""
