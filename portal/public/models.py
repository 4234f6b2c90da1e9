"""Models of the public side (API keys, published aggregates)."""
