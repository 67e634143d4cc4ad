from django.urls import path

from accord.scoring import views

app_name = "scoring"

urlpatterns = [
    path("", views.settings_page, name="settings"),
    path("threshold/", views.threshold, name="threshold"),
    path("fit-rules/new/", views.fit_rule_new, name="fit_rule_new"),
    path("fit-rules/<int:pk>/", views.fit_rule_edit, name="fit_rule_edit"),
    path("fit-rules/<int:pk>/delete/", views.fit_rule_delete, name="fit_rule_delete"),
    path("engagement-rules/new/", views.engagement_rule_new, name="engagement_rule_new"),
    path("engagement-rules/<int:pk>/", views.engagement_rule_edit, name="engagement_rule_edit"),
    path("engagement-rules/<int:pk>/delete/", views.engagement_rule_delete, name="engagement_rule_delete"),
    path("recompute/", views.recompute, name="recompute"),
    path("recompute/<int:pk>/", views.recompute_status, name="recompute_status"),
    path("win-model/retrain/", views.retrain, name="retrain"),
    path("contacts/<int:contact_id>/panel/", views.contact_panel, name="contact_panel"),
]
