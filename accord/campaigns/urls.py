from django.urls import path

from accord.campaigns.views import affiliates, campaigns, events, sections

app_name = "campaigns"

urlpatterns = [
    path("", campaigns.campaign_list, name="campaign_list"),
    path("new/", campaigns.campaign_create, name="campaign_create"),
    path("<int:pk>/", campaigns.campaign_detail, name="campaign_detail"),
    path("<int:pk>/edit/", campaigns.campaign_edit, name="campaign_edit"),
    path("<int:pk>/delete/", campaigns.campaign_delete, name="campaign_delete"),
    path("<int:pk>/costs/", campaigns.cost_add, name="cost_add"),
    path("<int:pk>/costs/<int:cost_pk>/delete/", campaigns.cost_delete, name="cost_delete"),
    path("<int:pk>/links/", sections.links, name="links"),
    path("<int:pk>/utm-rules/", sections.utm_rules, name="utm_rules"),
    path("<int:pk>/utm-rules/<int:rule_pk>/delete/", sections.utm_rule_delete, name="utm_rule_delete"),
    path("<int:pk>/mentions/", sections.mentions, name="mentions"),
    path("<int:pk>/affiliates/", affiliates.affiliate_tab, name="affiliates"),
    path("<int:pk>/affiliates/rules/", affiliates.commission_rule_set, name="commission_rule_set"),
    path("<int:pk>/affiliates/conversions/", affiliates.conversion_add, name="conversion_add"),
    path(
        "<int:pk>/affiliates/conversions/<int:conversion_pk>/status/",
        affiliates.conversion_status,
        name="conversion_status",
    ),
    path("<int:pk>/event/", events.event_tab, name="event"),
    path(
        "<int:pk>/event/sessions/<int:session_pk>/register/", events.session_register, name="session_register"
    ),
    path(
        "<int:pk>/event/registrations/<int:registration_pk>/check-in/",
        events.registration_check_in,
        name="registration_check_in",
    ),
    path(
        "<int:pk>/event/registrations/<int:registration_pk>/undo-check-in/",
        events.registration_undo_check_in,
        name="registration_undo_check_in",
    ),
    path(
        "<int:pk>/event/registrations/<int:registration_pk>/cancel/",
        events.registration_cancel,
        name="registration_cancel",
    ),
    path("affiliates/", affiliates.affiliate_list, name="affiliate_list"),
    path("affiliates/<int:affiliate_pk>/status/", affiliates.affiliate_status, name="affiliate_status"),
]
