from django.urls import path

from accord.accounts import views

app_name = "accounts"

urlpatterns = [
    path("api-keys/", views.api_key_list, name="api_key_list"),
    path("api-keys/<int:pk>/revoke/", views.api_key_revoke, name="api_key_revoke"),
    path("notifications/", views.notification_list, name="notification_list"),
]
