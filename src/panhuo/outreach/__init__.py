"""Reaching clients, Django-free: the scripts (话术) and their one renderer, the compliance lint of scripts, and
the SMS / email senders configured from the environment.

The feature apps are its pages and records: the campaigns app stores scripts and send attempts and calls these,
the workbench shows each task's suggested script, the market page sends switch suggestions.
"""
