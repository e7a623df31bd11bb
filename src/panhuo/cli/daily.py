"""`panhuo run-daily`, `panhuo alive`: filled in by the analytics issue (#5)."""
