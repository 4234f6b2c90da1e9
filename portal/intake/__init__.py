"""Public intake: the report form, the receipt and the tracking page."""
