"""Views of the workbench, one module per page. Each parses the request, calls one selector or service, renders."""
