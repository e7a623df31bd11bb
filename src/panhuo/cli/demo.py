"""`panhuo demo`."""
