from django.urls import path

from accord.segments import views

app_name = "segments"

urlpatterns = [
    path("", views.segment_list, name="segment_list"),
    path("new/", views.segment_create, name="segment_create"),
    path("new-list/", views.list_create, name="list_create"),
    path("preview/", views.preview, name="preview"),
    path("<int:pk>/", views.segment_detail, name="segment_detail"),
    path("<int:pk>/edit/", views.segment_edit, name="segment_edit"),
    path("<int:pk>/rebuild/", views.segment_rebuild, name="segment_rebuild"),
    path("<int:pk>/delete/", views.segment_delete, name="segment_delete"),
    path("<int:pk>/members/add/", views.list_add, name="list_add"),
    path("<int:pk>/members/<int:contact_pk>/remove/", views.list_remove, name="list_remove"),
]
