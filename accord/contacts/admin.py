from django.contrib import admin

from accord.contacts.models import Company, Contact, PropertyDefinition


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("email", "first_name", "last_name", "company", "owner", "lifecycle_stage", "created_at")
    list_filter = ("lifecycle_stage",)
    search_fields = ("email", "first_name", "last_name")
    raw_id_fields = ("company", "owner")


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("name", "domain", "industry", "size", "revenue_band", "owner")
    list_filter = ("size", "revenue_band", "industry")
    search_fields = ("name", "domain")
    raw_id_fields = ("owner",)


@admin.register(PropertyDefinition)
class PropertyDefinitionAdmin(admin.ModelAdmin):
    list_display = ("object_type", "key", "label", "type")
