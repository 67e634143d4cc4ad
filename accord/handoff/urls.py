from django.urls import path

from accord.handoff import views

app_name = "handoff"

urlpatterns = [
    path("", views.lead_inbox, name="lead_inbox"),
    path("team/", views.team_inbox, name="team_inbox"),
    path("routing/", views.routing_settings, name="routing_settings"),
    path("routing/rules/new/", views.rule_save, name="rule_new"),
    path("routing/rules/<int:pk>/", views.rule_save, name="rule_edit"),
    path("routing/rules/<int:pk>/delete/", views.rule_delete, name="rule_delete"),
    path("routing/reps/<int:user_id>/", views.rep_save, name="rep_save"),
    path("routing/reps/<int:user_id>/time-off/", views.time_off_add, name="time_off_add"),
    path("routing/time-off/<int:pk>/delete/", views.time_off_delete, name="time_off_delete"),
    path("routing/sla/<int:team_id>/", views.sla_save, name="sla_save"),
    path("<int:pk>/", views.lead_detail, name="lead_detail"),
    path("<int:pk>/accept/", views.lead_accept, name="lead_accept"),
    path("<int:pk>/reject/", views.lead_reject, name="lead_reject"),
    path("<int:pk>/bant/", views.lead_bant, name="lead_bant"),
    path("<int:pk>/convert/", views.lead_convert, name="lead_convert"),
    path("<int:pk>/reassign/", views.lead_reassign, name="lead_reassign"),
]
