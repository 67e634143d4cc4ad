from django.urls import path

from accord.integrations import views

app_name = "integrations"

urlpatterns = [
    path("imports/", views.import_list, name="import_list"),
    path("imports/new/", views.import_new, name="import_new"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/map/", views.import_map, name="import_map"),
    path("imports/<int:pk>/cancel/", views.import_cancel, name="import_cancel"),
    path("imports/<int:pk>/resume/", views.import_resume, name="import_resume"),
    path("imports/<int:pk>/errors.csv", views.import_errors, name="import_errors"),
    path("export/", views.export_page, name="export"),
    path("export/contacts.csv", views.export_contacts, name="export_contacts"),
    path("export/companies.csv", views.export_companies, name="export_companies"),
]
