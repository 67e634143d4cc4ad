from django.contrib.auth import views as auth_views
from django.urls import path

from accord.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
]

# Login/logout live outside the "web" namespace so settings.LOGIN_URL = "login" resolves.
auth_urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
