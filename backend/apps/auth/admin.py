"""Admin for units, departments and users: every write goes through apps.auth.services, so a
Unit Admin meets the same rules here as in the API, and the audit events are the API's."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from apps.audit.read_only_admin import ReadOnlyAdminMixin
from apps.auth import roles, services
from apps.auth.models import Department, RevokedSession, Unit, User
from apps.core.admin_mixins import (
    ReasonAdminMixin,
    ReasonForm,
    ServiceModelAdmin,
    changed,
    reason_of,
    refusal_text,
    submitted,
)
from apps.core.errors import ApplicationError


class ServiceAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin's sign-in goes through the same login service as the API: one failure
    counter, one lockout, one audit trail (a locked account cannot get in by the admin)."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                user = services.authenticate_credentials(username=username, password=password, channel="admin")
            except ApplicationError as error:
                if error.code == "account_locked":
                    raise ValidationError(error.message, code="account_locked") from error
                raise self.get_invalid_login_error() from error
            # django.contrib.auth.login() records which backend vouched for the user.
            user.backend = settings.AUTHENTICATION_BACKENDS[0]  # type: ignore[attr-defined]
            self.user_cache = user
            self.confirm_login_allowed(user)  # active staff only
        return self.cleaned_data


admin.site.login_form = ServiceAdminAuthenticationForm


class UnitAdminForm(ReasonForm):
    class Meta:
        model = Unit
        fields = services.UNIT_FIELDS


@admin.register(Unit)
class UnitAdmin(ReasonAdminMixin, ServiceModelAdmin):
    form = UnitAdminForm
    unit_field = "pk"
    list_display = ["code", "name", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["code", "name", "address"]
    fields = (*services.UNIT_FIELDS, "reason")

    def write(self, request: HttpRequest, obj: Unit, form: Any, change: bool) -> Unit:
        actor: Any = request.user
        if change:
            return services.unit_update(
                actor=actor,
                unit=Unit.objects.get(pk=obj.pk),
                data=changed(form, services.UNIT_FIELDS),
                reason=reason_of(form),
            )
        return services.unit_create(actor=actor, **submitted(form, services.UNIT_FIELDS))


@admin.register(Department)
class DepartmentAdmin(ServiceModelAdmin):
    list_display = ["code", "name", "unit", "is_active"]
    list_filter = ["unit", "is_active"]
    search_fields = ["code", "name"]
    fields = tuple(services.DEPARTMENT_FIELDS)

    def write(self, request: HttpRequest, obj: Department, form: Any, change: bool) -> Department:
        actor: Any = request.user
        if change:
            return services.department_update(
                actor=actor,
                department=Department.objects.get(pk=obj.pk),
                data=changed(form, services.DEPARTMENT_FIELDS),
            )
        return services.department_create(actor=actor, **submitted(form, services.DEPARTMENT_FIELDS))


ROLE_CHOICES = [(role, role) for role in roles.ALL_ROLES]
PERSON_FIELDS = ["full_name", "email", "employee_id", "unit"]


class UserAddForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(choices=ROLE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple)
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label="Password again", widget=forms.PasswordInput, strip=False)

    class Meta:
        model = User
        fields = ["username", *PERSON_FIELDS]

    def clean_password2(self) -> str:
        if self.cleaned_data.get("password1") != self.cleaned_data["password2"]:
            raise forms.ValidationError("The two passwords differ.")
        return str(self.cleaned_data["password2"])


class UserChangeForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(choices=ROLE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple)
    new_password = forms.CharField(
        label="New password", widget=forms.PasswordInput, strip=False, required=False, help_text="Empty: unchanged."
    )

    class Meta:
        model = User
        fields = [*PERSON_FIELDS, "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["roles"] = sorted(group.name for group in self.instance.groups.all())


class LockedFilter(admin.SimpleListFilter):
    """Accounts locked by failed sign-ins right now (Part 11 §11.300(d): shown, not hidden)."""

    title = "locked"
    parameter_name = "locked"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Locked now"), ("no", "Not locked")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> QuerySet[User]:
        now = timezone.now()
        if self.value() == "yes":
            return queryset.filter(locked_until__gt=now)
        if self.value() == "no":
            return queryset.exclude(locked_until__gt=now)
        return queryset


@admin.register(User)
class UserAdmin(ServiceModelAdmin):
    """Users are created, changed, deactivated and unlocked here as through the API; never
    deleted (their signatures must survive). Staff and superuser flags are not set here."""

    form = UserChangeForm
    list_display = ["username", "full_name", "unit", "is_active", "is_locked", "locked_until", "last_login"]
    list_filter = [LockedFilter, "unit", "groups", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email", "employee_id"]
    readonly_fields = [
        "username",
        "is_staff",
        "is_superuser",
        "failed_login_count",
        "locked_until",
        "auth_version",
        "password_changed_at",
        "last_login",
        "date_joined",
    ]
    fieldsets = (
        (None, {"fields": ("username", "new_password")}),
        ("Person", {"fields": ("full_name", "email", "employee_id", "unit")}),
        ("Access", {"fields": ("is_active", "roles", "is_staff", "is_superuser")}),
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
    add_fieldsets = ((None, {"fields": ("username", *PERSON_FIELDS, "roles", "password1", "password2")}),)
    actions = ["unlock_users"]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [] if obj is None else self.readonly_fields

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = UserAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def write(self, request: HttpRequest, obj: User, form: Any, change: bool) -> User:
        actor: Any = request.user
        if not change:
            return services.user_create(
                actor=actor,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
                role_names=list(form.cleaned_data["roles"]),
                **submitted(form, PERSON_FIELDS),
            )
        user = User.objects.get(pk=obj.pk)
        data = changed(form, [*PERSON_FIELDS, "is_active"])
        deactivate = data.pop("is_active", None) is False
        if "is_active" in form.changed_data and not deactivate:
            data["is_active"] = True
        if "roles" in form.changed_data:
            data["roles"] = list(form.cleaned_data["roles"])
        if form.cleaned_data.get("new_password"):
            data["password"] = form.cleaned_data["new_password"]
        if data:
            user = services.user_update(actor=actor, user=user, data=data)
        if deactivate:
            user = services.user_deactivate(actor=actor, user=user)
        return user

    @admin.display(boolean=True, description="locked")
    def is_locked(self, user: User) -> bool:
        return user.is_locked

    @admin.action(description="Unlock selected users")
    def unlock_users(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        unlocked = 0
        for user in queryset:
            try:
                services.user_unlock(actor=request.user, user=user)  # type: ignore[arg-type]
            except ApplicationError as error:
                messages.error(request, f"{user.username}: {refusal_text(error)}")
            else:
                unlocked += 1
        messages.success(request, f"Unlocked {unlocked} user(s).")


@admin.register(RevokedSession)
class RevokedSessionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Signed-out sessions, kept until their tokens would have expired; written by logout only."""

    list_display = ["sid", "user", "revoked_at", "expires_at"]
    search_fields = ["user__username"]
