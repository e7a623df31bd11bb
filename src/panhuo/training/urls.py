from django.urls import path

from panhuo.training import views

app_name = "training"

urlpatterns = [
    path("training/", views.home, name="mine"),
    path("training/course-add/", views.course_add, name="course_add"),
    path("training/courses/<slug:key>/", views.course, name="course"),
    path("training/sessions/<int:session_id>/attendance/", views.attendance, name="attendance"),
    path("training/exams/<int:exam_id>/start/", views.exam_start, name="exam_start"),
    path("training/attempts/<int:attempt_id>/", views.attempt, name="attempt"),
    path("training/certificates/<str:number>.pdf", views.certificate, name="certificate"),
    path("training/staff/", views.staff, name="staff"),
    path("training/staff/export.xlsx", views.staff_export, name="staff_export"),
    path("training/staff/<str:username>/", views.person, name="person"),
]
