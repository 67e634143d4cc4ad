from django.apps import AppConfig


class WebformsConfig(AppConfig):
    name = "accord.webforms"
    label = "webforms"
    verbose_name = "Forms and gated content"
    default_auto_field = "django.db.models.BigAutoField"
