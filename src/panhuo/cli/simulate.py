"""`panhuo simulate`: filled in by the simulator issue (#3)."""
