"""Read querysets for requests and send-backs: unit-scoped, with everything the serializers
touch loaded up front so a list costs the same number of queries at any page size."""

from functools import cache
from typing import Any

import django_filters
from django.db.models import BooleanField, ExpressionWrapper, Prefetch, QuerySet

from apps.auth.permissions import scope_to_unit
from apps.core.columns import own_columns_and
from apps.core.filters import ID_FILTERS, FilterSet
from apps.core.prepared import PreparedRead, any_of
from apps.crates.models import Crate, Document
from apps.policy import access, rules
from apps.requests.models import Request, RequestItem, ReturnExtension, SendBack, SendBackItem


def request_items_queryset() -> QuerySet[RequestItem]:
    return RequestItem.objects.select_related(
        "crate__location__unit", "document", "source_location__unit", "allocated_location"
    )


@cache
def _requests_base() -> QuerySet[Request]:
    # Built once per process and cloned per request, like the crates' (apps/crates/selectors.py).
    queryset = Request.objects.select_related(
        "unit", "target_unit", "requester", "decided_by", "executed_by", "received_by", "destruction_witness"
    ).prefetch_related(Prefetch("items", queryset=request_items_queryset()), "signatures")
    # The certificate's stored content can be long (every document destroyed): only the
    # certificate reads it.
    return queryset.defer("certificate_content")


def requests_for(user: Any) -> QuerySet[Request]:
    """Requests the user may see: their unit's, and transfers addressed to their unit; of the
    drafts, only their own (`access.request_visible_q`)."""
    return _visible_to(user, _requests_base().all())


def _visible_to(user: Any, requests: QuerySet[Request]) -> QuerySet[Request]:
    return scope_to_unit(requests, user, "unit", "target_unit").filter(access.request_visible_q(user))


def request_list_for(user: Any) -> QuerySet[Request]:
    """The requests a list pages through: `requests_for(user)` without the rows' joins and
    prefetches (a page's keys are chosen from it; its rows are read by `request_rows_of_page`)."""
    return _visible_to(user, Request.objects.all())


# What a row shows of the rows it joins, as plain values (apps/core/columns.py), for
# apps/requests/representations.py.
_SHOWN = {
    "unit_code": "unit__code",
    "target_unit_code": "target_unit__code",
    **{f"{user}_name": f"{user}__full_name" for user in ("requester", "decided_by", "executed_by", "received_by")},
    "destruction_witness_name": "destruction_witness__full_name",
}


def requests_as_rows(queryset: QuerySet[Request]) -> QuerySet[Request]:
    """`queryset` (of requests_for()) with what representations.request_rows reads, without its
    prefetches (the rows read items and signatures as columns)."""
    return own_columns_and(queryset.prefetch_related(None), leaving={"certificate_content"}, **_SHOWN)


def _request_rows_queryset(shape: str, *, keys: list[int]) -> QuerySet[Request]:
    return requests_as_rows(_requests_base()).filter(any_of("pk", keys))


_request_rows = PreparedRead(_request_rows_queryset)


def request_rows_of_page(keys: list[int]) -> list[Request]:
    """The requests of a list page, as requests_for() reads them but without its prefetches
    (the list reads items and signatures as columns). `keys` were picked from the reader's
    scoped, filtered list (apps/core/pagination.py): no scope is applied again."""
    return _request_rows.fetch("page", keys=keys)


class RequestFilter(FilterSet):
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="Issued and past the expected return date")
    mine = django_filters.BooleanFilter(method="filter_mine", label="Raised by me")
    awaiting_my_action = django_filters.ChoiceFilter(
        method="filter_awaiting",
        choices=[(action, action) for action in access.AWAITED_REQUEST_ACTIONS],
        label="Waiting for me to approve, execute or receive",
    )

    class Meta:
        model = Request
        fields = ["status", "request_type", "unit", "target_unit", "requester"]
        filter_overrides = ID_FILTERS

    def filter_overdue(self, queryset: QuerySet[Request], name: str, value: bool | None) -> QuerySet[Request]:
        if value is None:
            return queryset
        overdue = rules.overdue_q()
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_mine(self, queryset: QuerySet[Request], name: str, value: bool | None) -> QuerySet[Request]:
        if value is None:
            return queryset
        user = self.request.user  # type: ignore[union-attr]
        return queryset.filter(requester_id=user.pk) if value else queryset.exclude(requester_id=user.pk)

    def filter_awaiting(self, queryset: QuerySet[Request], name: str, value: str) -> QuerySet[Request]:
        if not value:
            return queryset
        return queryset.filter(access.awaiting_action_q(self.request.user, value))  # type: ignore[union-attr]


def sendbacks_for(user: Any) -> QuerySet[SendBack]:
    items = SendBackItem.objects.select_related("request_item__crate", "request_item__document", "location")
    queryset = SendBack.objects.select_related("request", "unit", "returned_by", "received_by").prefetch_related(
        Prefetch("items", queryset=items)
    )
    return scope_to_unit(queryset, user)


class SendBackFilter(FilterSet):
    class Meta:
        model = SendBack
        fields = ["status", "request", "unit"]


def request_context(request: Request) -> list[dict[str, Any]]:
    """What an approver decides on (docs/workflows.md): each crate of the request with its
    documents, retention dates and hold, and which of them the request names. Two queries,
    whatever the number of crates and documents (the request's items are already loaded)."""
    items = list(request.items.all())
    named_documents = {item.document_id for item in items if item.document_id is not None}
    whole = {item.crate_id for item in items if item.document_id is None}
    crates = (
        Crate.objects.filter(pk__in={item.crate_id for item in items})
        .select_related("department", "location", "previous_location")
        .annotate(
            legal_hold=ExpressionWrapper(rules.on_hold_q(), output_field=BooleanField()),
            legal_hold_reason=rules.covering_hold_reason(),
        )
        .prefetch_related(
            Prefetch("documents", queryset=Document.objects.select_related("document_type").order_by("number"))
        )
        .order_by("number")
    )
    result = []
    for crate in crates:
        where = crate.location or crate.previous_location
        result.append(
            {
                "id": crate.pk,
                "number": crate.number,
                "status": crate.status,
                "department_name": crate.department.name,
                "location_path": where.path if where else None,
                "retention_until": crate.retention_until,
                "legal_hold": crate.legal_hold,  # type: ignore[attr-defined]
                "legal_hold_reason": crate.legal_hold_reason or "",  # type: ignore[attr-defined]
                "due_for_destruction": rules.is_due_for_destruction(crate),
                "whole_crate": crate.pk in whole,
                "documents": [
                    {
                        "id": document.pk,
                        "number": document.number,
                        "title": document.title,
                        "document_type_code": document.document_type.code,
                        "record_date": document.record_date,
                        "retention_until": document.retention_until,
                        "status": document.status,
                        "in_request": crate.pk in whole or document.pk in named_documents,
                    }
                    for document in crate.documents.all()
                ],
            }
        )
    return result


def extensions_for(user: Any) -> QuerySet[ReturnExtension]:
    queryset = ReturnExtension.objects.select_related("request", "unit", "requester", "decided_by")
    return scope_to_unit(queryset, user)


class ExtensionFilter(FilterSet):
    class Meta:
        model = ReturnExtension
        fields = ["status", "request", "unit"]
