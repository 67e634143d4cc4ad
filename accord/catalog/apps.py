from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "accord.catalog"
    label = "catalog"
    verbose_name = "Products and competitors"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accord.catalog import panels

        panels.register()
