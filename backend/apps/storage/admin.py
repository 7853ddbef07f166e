from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.core.admin_mixins import ReasonAdminMixin, ReasonForm, ServiceModelAdmin, changed, reason_of, submitted
from apps.storage import services
from apps.storage.models import StorageLocation


class StorageLocationAdminForm(ReasonForm):
    class Meta:
        model = StorageLocation
        fields = services.LOCATION_FIELDS


@admin.register(StorageLocation)
class StorageLocationAdmin(ReasonAdminMixin, ServiceModelAdmin):
    """Through the service: path upkeep, capacity checks, the Unit-Admin scope and the audit
    event stay in one place. Locations are deactivated, never deleted."""

    list_display = ["path", "code", "unit", "kind", "capacity", "occupied", "is_active"]
    list_filter = ["unit", "kind", "is_active"]
    search_fields = ["code", "name", "path"]
    readonly_fields = ["occupied", "path"]
    form = StorageLocationAdminForm

    def write(self, request: HttpRequest, obj: StorageLocation, form: Any, change: bool) -> StorageLocation:
        if change:
            return services.location_update(
                actor=request.user,
                location=StorageLocation.objects.get(pk=obj.pk),
                data=changed(form, services.LOCATION_FIELDS),
                reason=reason_of(form),
            )
        return services.location_create(actor=request.user, **submitted(form, services.LOCATION_FIELDS))
