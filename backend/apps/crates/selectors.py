"""Read querysets for crates and documents, unit-scoped, with a fixed number of queries."""

import re
from dataclasses import dataclass
from functools import cache
from types import SimpleNamespace
from typing import Any

import django_filters
from django.db import connections
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from apps.audit.models import AuditEvent
from apps.auth.permissions import scope_to_unit
from apps.core.columns import own_columns, own_columns_and
from apps.core.errors import ApplicationError, field_error
from apps.core.filters import ID_FILTERS, FilterSet, IdFilter
from apps.core.labels import MAX_LABELS
from apps.core.prepared import PreparedRead, any_of
from apps.crates.models import Crate, Document
from apps.policy import access, rules
from apps.policy.states import FROZEN_REQUEST_STATUSES
from apps.storage.models import StorageLocation
from apps.storage.selectors import subtree_ids

# How many crates a neighbours read lists per location (a shelf holds a few dozen).
NEIGHBOUR_LIMIT = 50


def _document_count() -> Coalesce:
    # A subquery, not Count("documents"): a join would multiply rows under the document search.
    counts = (
        Document.objects.filter(crate=OuterRef("pk")).order_by().values("crate").annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def with_request_facts(queryset: QuerySet[Crate]) -> QuerySet[Crate]:
    """Annotate what the crate policy needs to know about requests (`access.REQUEST_FACTS`)."""
    # The request items belong to the requests app, which builds on this one: reach them
    # through the reverse relation instead of importing it.
    items = Crate.request_items.field.model.objects.filter(crate=OuterRef("pk"))  # type: ignore[attr-defined]
    open_items = items.filter(is_open=True)
    frozen = open_items.filter(request__status__in=FROZEN_REQUEST_STATUSES).order_by("request_id")
    return queryset.annotate(
        frozen_by=Subquery(frozen.values("request__number")[:1]),
        has_open_items=Exists(open_items),
        out_whole=Exists(open_items.filter(document__isnull=True)),
        was_requested=Exists(items),
    )


def with_legal_hold(queryset: QuerySet[Crate]) -> QuerySet[Crate]:
    """Annotate `legal_hold`: covered by an active hold (`rules.on_hold_q`). For reads only: a
    service deciding on a hold asks `rules.is_on_hold` after locking the crate."""
    return queryset.annotate(legal_hold=ExpressionWrapper(rules.on_hold_q(), output_field=BooleanField()))


# The annotated querysets below are built once per process and cloned for each request, as
# DRF does with a view's class-level `queryset`: resolving their annotations (the request
# facts, the legal hold, the document count) cost ~4 ms of CPU per request, more than running
# the query (OPTIMIZATIONS.md §2.H). They hold no per-request value (no user, no clock): the
# unit scope is applied to each clone. Never hand out the cached object itself (`.all()`), or
# evaluating it would fill its result cache for every later request.
@cache
def _crates_base(with_documents: bool) -> QuerySet[Crate]:
    queryset = with_legal_hold(
        with_request_facts(
            Crate.objects.select_related("unit", "department", "location", "created_by").annotate(
                document_count=_document_count()
            )
        )
    )
    if with_documents:
        # For the serializers (the disposition review, a legal hold's answer): what they show of
        # each document's type and creator, not their whole rows (a user's password hash...).
        documents = Document.objects.select_related("document_type", "created_by").only(
            *own_columns(Document), "document_type__code", "document_type__name", "created_by__full_name"
        )
        queryset = queryset.prefetch_related(Prefetch("documents", queryset=with_crate_legal_hold(documents)))
    return queryset


@cache
def _crate_page_base() -> QuerySet[Crate]:
    # A crate's page (representations.crate_detail_row): the crate as a row.
    return crates_as_rows(_crates_base(False))


@cache
def _documents_base() -> QuerySet[Document]:
    return with_crate_legal_hold(
        Document.objects.select_related(
            "crate", "crate__unit", "crate__department", "crate__location", "document_type", "created_by"
        )
    )


def crates_for(user: Any, *, with_documents: bool = False) -> QuerySet[Crate]:
    return scope_to_unit(_crates_base(with_documents).all(), user)


def crate_list_for(user: Any) -> QuerySet[Crate]:
    """The crates a list pages through: `crates_for(user)` without the rows' joins and
    annotations. A list chooses a page's keys from it (filters and ordering are on the crates'
    own columns and rules) and reads the rows by `crate_rows_of_page`; carried through the
    filters and compiled for the keys, the annotations cost more CPU than the query's run."""
    return scope_to_unit(Crate.objects.all(), user)


# What a row shows of the rows it joins, as plain values (apps/core/columns.py), for
# apps/crates/representations.py.
_CRATE_SHOWN = {
    "unit_code": "unit__code",
    "department_code": "department__code",
    "department_name": "department__name",
    "location_path": "location__path",
    "created_by_name": "created_by__full_name",
}
_DOCUMENT_SHOWN = {
    "crate_number": "crate__number",
    "crate_status": "crate__status",
    "crate_unit": "crate__unit_id",
    "unit_code": "crate__unit__code",
    "department_name": "crate__department__name",
    "location_path": "crate__location__path",
    "document_type_code": "document_type__code",
    "document_type_name": "document_type__name",
    "created_by_name": "created_by__full_name",
}


def crates_as_rows(queryset: QuerySet[Crate]) -> QuerySet[Crate]:
    """`queryset` (of crates_for()) with what representations.crate_row reads."""
    return own_columns_and(queryset, **_CRATE_SHOWN)


def documents_as_rows(queryset: QuerySet[Document]) -> QuerySet[Document]:
    """`queryset` (of documents_for()) with what representations.document_row reads."""
    return own_columns_and(queryset, **_DOCUMENT_SHOWN)


def crate_pages(user: Any) -> QuerySet[Crate]:
    """Crates of the user's units as a crate's page reads them (representations.crate_detail_row)."""
    return scope_to_unit(_crate_page_base().all(), user)


def crate_page_documents(crate_id: int) -> QuerySet[Document]:
    """A crate page's documents, as rows (representations.document_row)."""
    return documents_as_rows(with_crate_legal_hold(Document.objects.all())).filter(crate_id=crate_id)


@dataclass(frozen=True)
class CratePage:
    crate: Crate
    documents: list[Document]


def _crate_page_queryset(shape: str, *, crate_id: int, unit_id: int | None = None) -> QuerySet[Crate]:
    # The unit scope's one rule (`access.unit_scope_q`), asked for a stand-in user of the unit.
    reader = SimpleNamespace(is_authenticated=True, is_system_admin=shape == "all", unit_id=unit_id)
    return crate_pages(reader).filter(pk=crate_id)


_crate_page = PreparedRead(_crate_page_queryset)
_crate_page_documents = PreparedRead(lambda shape, *, crate_id: crate_page_documents(crate_id))


def crate_page(user: Any, crate_id: int) -> CratePage | None:
    """The crate and its documents, as `crate_pages(user)` and `crate_page_documents` read them,
    or None if the user may not see it: two reads whose SQL is compiled once per process
    (apps/core/prepared.py; a prefetch would compile its query again for every page)."""
    scope = access.unit_scope_q(user)
    if scope is access.NOTHING:
        return None  # no unit to see (an account without a unit)
    if scope is None:
        found = _crate_page.fetch("all", crate_id=crate_id)
    else:
        found = _crate_page.fetch("unit", crate_id=crate_id, unit_id=user.unit_id)
    if not found:
        return None
    return CratePage(found[0], _crate_page_documents.fetch("crate", crate_id=crate_id))


def _crate_rows_queryset(shape: str, *, keys: list[int]) -> QuerySet[Crate]:
    return crates_as_rows(_crates_base(False)).filter(any_of("pk", keys))


_crate_rows = PreparedRead(_crate_rows_queryset)


def _document_rows_queryset(shape: str, *, keys: list[int]) -> QuerySet[Document]:
    return documents_as_rows(_documents_base()).filter(any_of("pk", keys))


_document_rows = PreparedRead(_document_rows_queryset)


def crate_rows_of_page(keys: list[int]) -> list[Crate]:
    """The crates of a list page, as crates_for() reads them. `keys` were picked from the
    reader's scoped, filtered list (apps/core/pagination.py): no scope is applied again."""
    return _crate_rows.fetch("page", keys=keys)


def document_rows_of_page(keys: list[int]) -> list[Document]:
    """The documents of a list page, as documents_for() reads them (keys as for crates)."""
    return _document_rows.fetch("page", keys=keys)


def documents_for(user: Any) -> QuerySet[Document]:
    return scope_to_unit(_documents_base().all(), user, "crate__unit")


def document_list_for(user: Any) -> QuerySet[Document]:
    """The documents a list pages through (as `crate_list_for`; rows by `document_rows_of_page`)."""
    return scope_to_unit(Document.objects.all(), user, "crate__unit")


def with_crate_legal_hold(queryset: QuerySet[Document]) -> QuerySet[Document]:
    """Annotate documents with `crate_legal_hold`: their crate is on hold (`rules.on_hold_q`)."""
    held = ExpressionWrapper(rules.on_hold_q(crate="crate"), output_field=BooleanField())
    return queryset.annotate(crate_legal_hold=held)


def crate_history(crate: Crate) -> QuerySet[AuditEvent]:
    """Audit events of the crate and of every document it holds or held, oldest first.

    Deleted documents are found through their `document.created` event, which names the crate.
    """
    current = [str(pk) for pk in Document.objects.filter(crate=crate).values_list("pk", flat=True)]
    former = list(
        AuditEvent.objects.filter(entity_type="document", action="document.created", changes__crate__1=crate.pk)
        .order_by()
        .values_list("entity_id", flat=True)
    )
    return AuditEvent.objects.filter(
        Q(entity_type="crate", entity_id=str(crate.pk))
        | Q(entity_type="document", entity_id__in=sorted(set(current + former)))
    ).order_by("sequence")


def location_subtree_ids(location_id: int) -> list[int]:
    """The location and every location inside it (none if there is no such location)."""
    return subtree_ids([location_id])


def crate_neighbours(user: Any, crate: Crate) -> dict[str, Any]:
    """Where the crate is (or belongs, while it is out) and what is around it: the crates of
    that location and of the sibling locations just before and after it in code order.
    Three queries whatever the number of crates (the crate read is the view's)."""
    home_id = crate.location_id or crate.previous_location_id
    if home_id is None:
        return {"location": None, "same_location": [], "adjacent": []}
    siblings = list(
        scope_to_unit(StorageLocation.objects.all(), user)
        .filter(parent_id__in=StorageLocation.objects.filter(pk=home_id).values("parent_id"), unit_id=crate.unit_id)
        .order_by("code", "id")
        .values("id", "code", "name", "path", "kind", "capacity", "occupied")
    )
    index = next((i for i, row in enumerate(siblings) if row["id"] == home_id), None)
    if index is None:  # a root location (no parent): its siblings are the unit's other rooms
        home = (
            scope_to_unit(StorageLocation.objects.all(), user)
            .filter(pk=home_id)
            .values("id", "code", "name", "path", "kind", "capacity", "occupied")
            .first()
        )
        adjacent: list[dict[str, Any]] = []
    else:
        home = siblings[index]
        adjacent = [siblings[i] for i in (index - 1, index + 1) if 0 <= i < len(siblings)]
    if home is None:
        return {"location": None, "same_location": [], "adjacent": []}
    ids = [home["id"], *(row["id"] for row in adjacent)]
    crates = (
        scope_to_unit(Crate.objects.all(), user)
        .annotate(legal_hold=ExpressionWrapper(rules.on_hold_q(), output_field=BooleanField()))
        .filter(Q(location_id__in=ids) | Q(location__isnull=True, previous_location_id__in=ids, status="withdrawn"))
        .exclude(pk=crate.pk)
        .order_by("number")
        .values("id", "number", "status", "legal_hold", "retention_until", "location_id", "previous_location_id")
    )
    by_location: dict[int, list[dict[str, Any]]] = {pk: [] for pk in ids}
    for row in crates[: NEIGHBOUR_LIMIT * len(ids)]:
        where = row.pop("location_id") or row.pop("previous_location_id")
        row.pop("previous_location_id", None)
        if len(by_location[where]) < NEIGHBOUR_LIMIT:
            by_location[where].append(row)
    return {
        "location": home,
        "same_location": by_location[home["id"]],
        "adjacent": [{**row, "crates": by_location[row["id"]]} for row in adjacent],
    }


class CrateFilter(FilterSet):
    within = django_filters.NumberFilter(method="filter_within", label="At this location or anywhere inside it")
    due_for_destruction = django_filters.BooleanFilter(
        method="filter_due_for_destruction", label="Stored, retention reached, no legal hold"
    )
    search = django_filters.CharFilter(
        method="filter_search", label="Number, description, or a document's number or title"
    )
    legal_hold = django_filters.BooleanFilter(method="filter_legal_hold", label="Covered by an active legal hold")

    class Meta:
        model = Crate
        fields = ["status", "location", "unit", "department"]
        filter_overrides = ID_FILTERS

    def filter_within(self, queryset: QuerySet[Crate], name: str, value: Any) -> QuerySet[Crate]:
        if value is None:
            return queryset
        return queryset.filter(location_id__in=location_subtree_ids(int(value)))

    def filter_due_for_destruction(self, queryset: QuerySet[Crate], name: str, value: bool) -> QuerySet[Crate]:
        due = rules.due_for_destruction_q()
        return queryset.filter(due) if value else queryset.exclude(due)

    def filter_legal_hold(self, queryset: QuerySet[Crate], name: str, value: bool) -> QuerySet[Crate]:
        held = rules.on_hold_q()
        return queryset.filter(held) if value else queryset.exclude(held)

    def filter_search(self, queryset: QuerySet[Crate], name: str, value: str) -> QuerySet[Crate]:
        value = value.strip()
        if not value:
            return queryset
        with_document = Document.objects.filter(Q(number__icontains=value) | Q(title__icontains=value)).values(
            "crate_id"
        )
        return queryset.filter(Q(number__icontains=value) | Q(description__icontains=value) | Q(pk__in=with_document))


# A search term shaped like a document number: letters and digits in groups joined by "-",
# "/", "_" or ".", with a digit somewhere ("DOC-1234-00", "BMR/2024/7").
DOCUMENT_NUMBER_SHAPE = re.compile(r"(?=.*\d)[A-Za-z0-9]+(?:[-/_.][A-Za-z0-9]+)+[-/_.]?")


class DocumentFilter(FilterSet):
    """The Documents page (docs/api.md): search by number and title, and the record's facets."""

    search = django_filters.CharFilter(method="filter_search", label="Document number or title, or its crate's number")
    # Plain numbers, not model choices: a model choice costs a query to validate the id.
    document_type = IdFilter(field_name="document_type")
    unit = IdFilter(field_name="crate__unit")
    department = IdFilter(field_name="crate__department")
    record_date_from = django_filters.DateFilter(field_name="record_date", lookup_expr="gte")
    record_date_to = django_filters.DateFilter(field_name="record_date", lookup_expr="lte")

    class Meta:
        model = Document
        fields = ["crate", "status"]
        filter_overrides = ID_FILTERS

    def filter_search(self, queryset: QuerySet[Document], name: str, value: str) -> QuerySet[Document]:
        value = value.strip()
        if not value:
            return queryset
        # A number (scanned or typed from its start) is searched by its prefix.
        sql, patterns = _search_union(by_prefix=bool(DOCUMENT_NUMBER_SHAPE.fullmatch(value)))
        term = connections[queryset.db].ops.prep_for_like_query(value)
        return queryset.filter(pk__in=RawSQL(sql, [pattern.replace(_TERM, term) for pattern in patterns]))  # noqa: S611


# Stands for the search term in the union's compiled SQL: letters only, so the LIKE escaping
# leaves it as it is and the term's escaped text can take its place in each pattern.
_TERM = "SearchTermStandIn"


@cache
def _search_union(*, by_prefix: bool) -> tuple[str, tuple[str, ...]]:
    """The documents a search matches, as SQL compiled once per process with a stand-in term,
    and its LIKE patterns. A union of three index scans (the trigram indexes on the document's
    number and title, and on the crate's number): an OR across the join to crates would make
    PostgreSQL filter every document instead (2.7 s against 30 ms on 300,000 documents). Built
    and resolved for every search, the union cost more CPU than the rest of the list
    (OPTIMIZATIONS.md §2.N)."""
    if by_prefix:
        # A prefix range scan of the number's index, whose cost does not grow with the table as
        # the trigram scan of a term made of the trigrams every number shares ("DOC-") does.
        by_number = Document.objects.order_by().filter(number__istartswith=_TERM).values("pk")
    else:
        by_number = Document.objects.order_by().filter(number__icontains=_TERM).values("pk")
    by_title = Document.objects.order_by().filter(title__icontains=_TERM).values("pk")
    crates = Crate.objects.order_by().filter(number__icontains=_TERM).values("pk")
    by_crate = Document.objects.order_by().filter(crate__in=crates).values("pk")
    sql, params = by_number.union(by_title, by_crate).query.sql_with_params()
    if not params or not all(isinstance(param, str) and _TERM in param for param in params):
        raise ValueError(f"the search's parameters are not all its term: {params!r}")
    return sql, tuple(params)


# --- Scan: what a scanned code is (docs/api.md, "Scan") ---------------------------------------


@dataclass(frozen=True)
class ScanResult:
    kind: str  # "crate" | "location" | "document"
    id: int
    number_or_code: str
    status: str
    location_path: str | None
    crate: int | None  # the crate itself, or the document's crate
    unit: str


MAX_SCAN_LENGTH = 200
SCAN_KINDS = ("crate", "location", "document")


def resolve_scan(user: Any, code: str) -> ScanResult:
    """A crate number, a location barcode or a document number within the user's units.

    Scanners differ in case and add spaces, so the match ignores both. Unknown codes and
    another unit's are the same 404 (docs/roles.md); a document number held by several crates
    is a 409 asking for the crate's code instead.
    """
    code = code.strip()
    if not code:
        raise field_error("code", "Scan or type a code.")
    if len(code) > MAX_SCAN_LENGTH:
        raise field_error("code", f"A code has at most {MAX_SCAN_LENGTH} characters; this is not one of ours.")
    crate = scope_to_unit(Crate.objects.select_related("unit", "location"), user).filter(number__iexact=code).first()
    if crate is not None:
        return ScanResult(
            kind="crate",
            id=crate.pk,
            number_or_code=crate.number,
            status=crate.status,
            location_path=crate.location.path if crate.location else None,
            crate=crate.pk,
            unit=crate.unit.code,
        )
    location = scope_to_unit(StorageLocation.objects.select_related("unit"), user).filter(barcode__iexact=code).first()
    if location is not None:
        return ScanResult(
            kind="location",
            id=location.pk,
            number_or_code=location.barcode,
            status="active" if location.is_active else "inactive",
            location_path=location.path,
            crate=None,
            unit=location.unit.code,
        )
    documents = list(
        scope_to_unit(Document.objects.select_related("crate__unit", "crate__location"), user, "crate__unit")
        .filter(number__iexact=code)
        .order_by("pk")[:2]
    )
    if len(documents) > 1:
        raise ApplicationError(
            f"Document number {code} is in more than one crate; scan the crate's label instead.", code="conflict"
        )
    if documents:
        document = documents[0]
        return ScanResult(
            kind="document",
            id=document.pk,
            number_or_code=document.number,
            status=document.status,
            location_path=document.crate.location.path if document.crate.location else None,
            crate=document.crate_id,
            unit=document.crate.unit.code,
        )
    raise ApplicationError(
        f"{code} is not a crate, location or document of your units. Check the label, or type the number.",
        code="not_found",
    )


# --- Labels for many crates or locations (docs/api.md, "Labels") ------------------------------


def label_crates(user: Any, crate_ids: list[int]) -> list[Crate]:
    """The crates, in the order asked; any not found in the user's units is a 404 naming them."""
    crates = with_legal_hold(scope_to_unit(Crate.objects.select_related("unit", "department"), user)).in_bulk(crate_ids)
    missing = [pk for pk in crate_ids if pk not in crates]
    if missing:
        raise ApplicationError(f"No crate {', '.join(map(str, missing[:10]))} in your units.", code="not_found")
    return [crates[pk] for pk in dict.fromkeys(crate_ids)]


def label_locations(user: Any, location_ids: list[int], *, subtree: bool = False) -> list[StorageLocation]:
    """The locations (with everything under them if `subtree`, in tree order); any not found
    in the user's units is a 404 naming them."""
    visible = scope_to_unit(StorageLocation.objects.select_related("unit"), user)
    asked = visible.in_bulk(location_ids)
    missing = [pk for pk in location_ids if pk not in asked]
    if missing:
        raise ApplicationError(f"No location {', '.join(map(str, missing[:10]))} in your units.", code="not_found")
    if not subtree:
        return [asked[pk] for pk in dict.fromkeys(location_ids)]
    ids = subtree_ids(list(asked))
    if len(ids) > MAX_LABELS:
        message = f"These locations and those under them make {len(ids)} labels; at most {MAX_LABELS} a call."
        raise field_error("locations", message)
    return list(visible.filter(pk__in=ids).order_by("unit__code", "path", "pk"))
