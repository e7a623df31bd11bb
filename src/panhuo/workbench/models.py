"""The workbench has no models of its own: the service records it works on live in the shared core
(panhuo.clients.models.service), where campaigns and the other features reach them too."""
