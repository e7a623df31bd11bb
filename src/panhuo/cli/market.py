"""`panhuo market …`: filled in by the market issue (#8)."""
