from django.urls import path

from panhuo.workbench.views import branch, client360, clients, funnel, today

app_name = "workbench"

urlpatterns = [
    path("today/", today.today, name="today"),
    path("tasks/<int:task_id>/", today.task_action, name="task_action"),
    path("clients/", clients.client_list, name="clients"),
    path("clients/export/", clients.client_export, name="clients_export"),
    path("clients/<str:client_id>/", client360.client_detail, name="client"),
    path("clients/<str:client_id>/contact/", client360.client_contact, name="client_contact"),
    path("clients/<str:client_id>/unmask/", client360.client_unmask_view, name="client_unmask"),
    path("funnel/", funnel.funnel, name="funnel"),
    path("branch/", branch.branch_dashboard, name="branch"),
    path("branch/reassign/", branch.reassign, name="reassign"),
    path("branch/conflicts/<int:conflict_id>/settle/", branch.settle_conflict, name="settle_conflict"),
]
