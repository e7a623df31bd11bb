"""`panhuo import`: filled in by the import issue (#4)."""
