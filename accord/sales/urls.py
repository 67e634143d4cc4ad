from django.urls import path

from accord.sales import activity_views, views

app_name = "sales"

urlpatterns = [
    path("", views.pipeline_board, name="pipeline"),
    path("deals/", views.deal_list, name="deal_list"),
    path("deals/new/", views.deal_create, name="deal_create"),
    path("deals/<int:pk>/", views.deal_detail, name="deal_detail"),
    path("deals/<int:pk>/edit/", views.deal_edit, name="deal_edit"),
    path("deals/<int:pk>/move/", views.deal_move, name="deal_move"),
    path("deals/<int:pk>/close/", views.deal_close, name="deal_close"),
    path("deals/<int:pk>/reopen/", views.deal_reopen, name="deal_reopen"),
    path("activities/", activity_views.activity_list, name="activity_list"),
    path("activities/week/", activity_views.activity_calendar, name="activity_calendar"),
    path("activities/new/", activity_views.activity_create, name="activity_create"),
    path("activities/<int:pk>/complete/", activity_views.activity_complete, name="activity_complete"),
    path("settings/onboarding/", activity_views.onboarding_settings, name="onboarding_settings"),
]
