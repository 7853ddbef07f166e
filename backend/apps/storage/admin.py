from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.storage import services
from apps.storage.models import StorageLocation


@admin.register(StorageLocation)
class StorageLocationAdmin(admin.ModelAdmin):
    list_display = ["path", "code", "unit", "kind", "capacity", "occupied", "is_active"]
    list_filter = ["unit", "kind", "is_active"]
    search_fields = ["code", "name", "path"]
    readonly_fields = ["occupied", "path"]

    def save_model(self, request: HttpRequest, obj: StorageLocation, form: Any, change: bool) -> None:
        # Through the service: path upkeep, capacity checks and the audit event stay in one place.
        fields = {name: form.cleaned_data[name] for name in services.LOCATION_FIELDS if name in form.cleaned_data}
        if change:
            saved = services.location_update(
                actor=request.user,
                location=StorageLocation.objects.get(pk=obj.pk),
                data={k: v for k, v in fields.items() if k in form.changed_data},
            )
        else:
            saved = services.location_create(actor=request.user, **fields)
        obj.pk = saved.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
