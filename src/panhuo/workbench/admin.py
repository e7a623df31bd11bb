"""The workbench registers nothing in the admin: the service records it works on are the core's
(clients/admin.py)."""
