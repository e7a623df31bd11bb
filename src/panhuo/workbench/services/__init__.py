"""Writes of the workbench. Each takes keyword-only arguments; the user-facing ones check access first."""
