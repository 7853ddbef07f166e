"""The Django admin is a client of the services, like the API.

`ServiceModelAdmin.write` calls the service that creates or changes the object, so the admin
gets the same rules (Unit Admin scope, role grants, validation) and writes the same audit
event as the API. A refused write is shown as an error on the same page and changes nothing.
Nothing is deleted here: models without a delete service are deactivated instead.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from apps.core.errors import ApplicationError

_REFUSED = "_admin_write_refused"


def refusal_text(error: ApplicationError) -> str:
    if error.fields:
        return " ".join(f"{field}: {' '.join(texts)}" for field, texts in error.fields.items())
    return error.message


def in_own_unit(queryset: QuerySet[Any], request: HttpRequest, unit_field: str) -> QuerySet[Any]:
    """Another unit's objects do not exist for anyone but a System Administrator, here as in the API."""
    user: Any = request.user
    if user.is_system_admin:
        return queryset
    return queryset.filter(**{unit_field: user.unit_id}) if user.unit_id else queryset.none()


class ServiceModelAdmin(admin.ModelAdmin):
    # The field of the model that names its unit ("pk" for Unit itself); None: not unit-scoped.
    unit_field: str | None = "unit"

    def write(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> Any:
        """Create or change through the service; return the saved object."""
        raise NotImplementedError

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        return queryset if self.unit_field is None else in_own_unit(queryset, request, self.unit_field)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        user: Any = request.user
        if db_field.name == "unit" and not user.is_system_admin:
            kwargs["queryset"] = db_field.related_model._default_manager.filter(pk=user.unit_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        try:
            # One savepoint: a refusal halfway (a role grant after a name change) keeps nothing.
            with transaction.atomic():
                saved = self.write(request, obj, form, change)
        except ApplicationError as error:
            setattr(request, _REFUSED, True)
            messages.error(request, refusal_text(error))
            return
        obj.pk = saved.pk

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Related rows (a user's roles) are written by the service in `write`, never by the form.
        return None

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        return None if getattr(request, _REFUSED, False) else super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        return None if getattr(request, _REFUSED, False) else super().log_change(request, obj, message)

    def response_add(self, request: HttpRequest, obj: Any, post_url_continue: str | None = None) -> HttpResponse:
        if getattr(request, _REFUSED, False):
            return HttpResponseRedirect(request.get_full_path())
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request: HttpRequest, obj: Any) -> HttpResponse:
        if getattr(request, _REFUSED, False):
            return HttpResponseRedirect(request.get_full_path())
        return super().response_change(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReasonForm(forms.ModelForm):
    """An admin change form that asks for the reason for change (EU GMP Annex 11 §9). Whether
    the change needs one is the service's question (apps.policy.reasons), as in the API."""

    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="Why you make this change; kept in the audit trail. Required for changes that affect records.",
    )


class ReasonAdminMixin:
    """Shows the form's `reason` on change pages only (a creation needs none)."""

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_fields(request, obj))  # type: ignore[misc]
        fields = [name for name in fields if name != "reason"]
        return [*fields, "reason"] if obj is not None else fields


def reason_of(form: Any) -> str:
    return form.cleaned_data.get("reason", "") if hasattr(form, "cleaned_data") else ""


def changed(form: Any, names: list[str]) -> dict[str, Any]:
    """The form's values for those of `names` the user changed."""
    return {name: form.cleaned_data[name] for name in names if name in form.changed_data}


def submitted(form: Any, names: list[str]) -> dict[str, Any]:
    """The form's values for those of `names` it has."""
    return {name: form.cleaned_data[name] for name in names if name in form.cleaned_data}
