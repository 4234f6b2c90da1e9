"""Held uploads: images kept for a report form that is not filed yet, and the chunked upload
endpoints the form's script sends them through."""
