from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.auth import services
from apps.auth.models import Department, Unit, User
from apps.core.admin_mixins import AuditedModelAdmin


@admin.register(Unit)
class UnitAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["code", "name", "address"]


@admin.register(Department)
class DepartmentAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "unit", "is_active"]
    list_filter = ["unit", "is_active"]
    search_fields = ["code", "name"]


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    list_display = ["username", "full_name", "unit", "is_active", "locked_until", "last_login"]
    list_filter = ["unit", "groups", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email", "employee_id"]
    readonly_fields = ["failed_login_count", "auth_version", "password_changed_at", "last_login", "date_joined"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("full_name", "email", "employee_id", "unit")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (
            "Security",
            {
                "fields": (
                    "failed_login_count",
                    "locked_until",
                    "auth_version",
                    "password_changed_at",
                    "last_login",
                    "date_joined",
                )
            },
        ),
    )
    add_fieldsets = ((None, {"fields": ("username", "full_name", "unit", "password1", "password2")}),)
    actions = ["unlock_users"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # users are deactivated, never deleted: their signatures must survive

    @admin.action(description="Unlock selected users")
    def unlock_users(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            services.user_unlock(actor=request.user, user=user)  # type: ignore[arg-type]
        messages.success(request, f"Unlocked {queryset.count()} user(s).")
