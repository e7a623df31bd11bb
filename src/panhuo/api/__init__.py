"""The versioned REST API (/api/v1/) for the firm's other systems: scores, tasks, contacts, campaigns.

It is an entry point like the command line (the top layer): it reads and writes through the same selectors and
services as the pages, so the access rule, the permissions table, masking and the audit trail apply unchanged.
"""
