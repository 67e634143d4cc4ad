from django.urls import URLPattern

app_name = "webforms"

urlpatterns: list[URLPattern] = []
