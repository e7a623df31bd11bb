"""Helpers for panhuo's own test suite."""
