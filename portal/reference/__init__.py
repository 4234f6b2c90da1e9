"""Reference data: regions and complaint categories."""
