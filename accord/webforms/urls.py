from django.urls import path

from accord.webforms import public, views

app_name = "webforms"

urlpatterns = [
    # Team pages
    path("", views.form_list, name="form_list"),
    path("new/", views.form_create, name="form_create"),
    path("<int:pk>/", views.form_detail, name="form_detail"),
    path("<int:pk>/edit/", views.form_edit, name="form_edit"),
    path("<int:pk>/close/", views.form_set_open, {"is_open": False}, name="form_close"),
    path("<int:pk>/reopen/", views.form_set_open, {"is_open": True}, name="form_reopen"),
    path("<int:pk>/delete/", views.form_delete, name="form_delete"),
    path("<int:pk>/submissions.csv", views.submissions_csv, name="submissions_csv"),
    path("<int:pk>/submissions/<int:sid>/", views.submission_detail, name="submission_detail"),
    # Public pages (no login; embeddable)
    path("embed.js", public.embed_js, name="embed_js"),
    path("f/<slug:slug>/", public.public_form, name="public_form"),
    path("f/<slug:slug>/thanks/<str:token>/", public.thanks, name="thanks"),
    path("f/<slug:slug>/confirm/<str:token>/", public.confirm, name="confirm"),
    path("f/<slug:slug>/confirm/<str:token>/new-link/", public.resend, name="resend"),
    path("f/<slug:slug>/download/<str:token>/", public.download, name="download"),
]
