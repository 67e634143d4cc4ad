from django.urls import path

from accord.quotes import views

app_name = "quotes"

urlpatterns = [
    path("", views.quote_list, name="quote_list"),
    path("new/", views.quote_create, name="quote_create"),
    path("approvals/", views.approval_list, name="approval_list"),
    path("settings/", views.quote_settings, name="settings"),
    path("<int:pk>/", views.quote_detail, name="quote_detail"),
    path("<int:pk>/edit/", views.quote_edit, name="quote_edit"),
    path("<int:pk>/print/", views.quote_print, name="quote_print"),
    path("<int:pk>/pdf/", views.quote_pdf, name="quote_pdf"),
    path("<int:pk>/lines/", views.line_add, name="line_add"),
    path("<int:pk>/lines/<int:line_pk>/", views.line_update, name="line_update"),
    path("<int:pk>/lines/<int:line_pk>/remove/", views.line_remove, name="line_remove"),
    path("<int:pk>/request-approval/", views.request_approval, name="request_approval"),
    path("<int:pk>/approve/", views.decide, name="decide"),
    path("<int:pk>/negotiation/", views.negotiation_add, name="negotiation_add"),
    path("<int:pk>/send/", views.change_status, {"step": "send"}, name="send"),
    path("<int:pk>/accept/", views.change_status, {"step": "accept"}, name="accept"),
    path("<int:pk>/decline/", views.change_status, {"step": "decline"}, name="decline"),
]
