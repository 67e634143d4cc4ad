from django.urls import path

from accord.sales import activity_views, pipeline_views, views

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
    path("settings/pipelines/", pipeline_views.pipeline_settings, name="pipeline_settings"),
    path("settings/pipelines/new/", pipeline_views.pipeline_create, name="pipeline_create"),
    path("settings/pipelines/<int:pk>/rename/", pipeline_views.pipeline_rename, name="pipeline_rename"),
    path(
        "settings/pipelines/<int:pk>/default/",
        pipeline_views.pipeline_make_default,
        name="pipeline_make_default",
    ),
    path("settings/pipelines/<int:pk>/delete/", pipeline_views.pipeline_delete, name="pipeline_delete"),
    path("settings/pipelines/<int:pk>/stages/new/", pipeline_views.stage_create, name="stage_create"),
    path("settings/stages/<int:pk>/", pipeline_views.stage_edit, name="stage_edit"),
    path("settings/stages/<int:pk>/move/", pipeline_views.stage_move, name="stage_move"),
    path("settings/stages/<int:pk>/delete/", pipeline_views.stage_delete, name="stage_delete"),
    path("settings/stages/<int:pk>/archive/", pipeline_views.stage_archive, name="stage_archive"),
    path("settings/stages/<int:pk>/restore/", pipeline_views.stage_restore, name="stage_restore"),
]
