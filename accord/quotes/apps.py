from django.apps import AppConfig


class QuotesConfig(AppConfig):
    name = "accord.quotes"
    label = "quotes"
    verbose_name = "Quotes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accord.quotes import panels

        panels.register()
