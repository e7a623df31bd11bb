from django.urls import path

from panhuo.campaigns import views, views_builder, views_holdout, views_review

app_name = "campaigns"

urlpatterns = [
    path("campaigns/", views.campaign_list, name="list"),
    path("campaigns/new/", views_builder.campaign_edit, name="new"),
    path("campaigns/preview/", views_builder.campaign_preview, name="preview"),
    path("campaigns/lint/", views.script_lint, name="lint"),
    path("campaigns/<int:campaign_id>/", views.campaign_detail, name="detail"),
    path("campaigns/<int:campaign_id>/edit/", views_builder.campaign_edit, name="edit"),
    path("campaigns/<int:campaign_id>/launch/", views_builder.campaign_launch_view, name="launch"),
    path("campaigns/<int:campaign_id>/progress/", views_builder.campaign_progress_view, name="progress"),
    path("campaigns/rule-row/", views_builder.rule_row, name="rule_row"),
    path("campaigns/<int:campaign_id>/submit-scripts/", views_review.scripts_submit_view, name="submit_scripts"),
    path("campaigns/reviews/", views_review.review_queue, name="reviews"),
    path("campaigns/holdout/", views_holdout.holdout_page, name="holdout"),
    path("campaigns/reviews/<int:review_id>/", views_review.review_decide, name="review_decide"),
    path("campaigns/<int:campaign_id>/export/", views.campaign_export, name="export"),
    path("consent/<str:client_id>/", views.consent_ledger, name="consent"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("campaigns/sms-inbound/", views.sms_inbound, name="sms_inbound"),
]
