"""GET /api/dashboard/ (docs/api.md): the user's unit at a glance, in a fixed number of queries."""

import datetime
from types import SimpleNamespace
from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request as HttpRequest
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.auth import readcache
from apps.auth.models import Unit
from apps.auth.permissions import scope_to_unit
from apps.core import readcache as unit_cache
from apps.core.prepared import PreparedRead, PreparedSQL
from apps.core.schema import UNAUTHORIZED
from apps.crates.models import Crate
from apps.notifications.models import Notification
from apps.policy import access, rules
from apps.requests.models import Request
from apps.requests.selectors import request_list_for
from apps.storage.models import StorageLocation

TOP = 5
SUMMARY_FIELDS = (
    "id",
    "number",
    "request_type",
    "status",
    "unit__code",
    "target_unit__code",
    "requester__full_name",
    "expected_return_date",
    "submitted_at",
    "decided_at",
    "executed_at",
)


def _summary_rows(queryset: QuerySet[Request], order: str) -> Any:
    """The first TOP requests in `order` and how many there are, in one query: the count is a
    window over the whole filtered set (COUNT(*) OVER (), computed before the LIMIT), carried
    by every row; no row means none."""
    return queryset.annotate(total=Window(Count("id"))).order_by(order, "id").values(*SUMMARY_FIELDS, "total")[:TOP]


def _summaries_of(found: list[dict[str, Any]]) -> dict[str, Any]:
    rows = [
        {
            "id": row["id"],
            "number": row["number"],
            "request_type": row["request_type"],
            "status": row["status"],
            "unit_code": row["unit__code"],
            "target_unit_code": row["target_unit__code"],
            "requester_name": row["requester__full_name"],
            "expected_return_date": row["expected_return_date"],
            "submitted_at": row["submitted_at"],
            "decided_at": row["decided_at"],
            "executed_at": row["executed_at"],
        }
        for row in found
    ]
    return {"count": found[0]["total"] if found else 0, "top": rows}


# Each room's capacity and occupancy summed over everything in it, in one prepared query (its text
# is the same for every reader of a unit shape; the unit is a parameter). PostgreSQL (or SQLite)
# walks the tree down from the rooms (`WITH RECURSIVE`), where Python read every place of the
# unit and walked each one up to its room: a fifth of the CPU of recomputing a unit's figures on
# the bench's thousand bins (OPTIMIZATIONS.md §2.U). An inactive place counts only while it still
# holds crates; a place whose chain of parents leaves the reader's scope, or never reaches a
# room, counts for no room. UNION (not UNION ALL) ends the walk on a cycle of parents.
_ROOM_TOTALS = """
WITH RECURSIVE places AS ({places}), rooms AS ({rooms}),
inside (id, room) AS (
    SELECT id, id FROM places WHERE parent_id IS NULL
    UNION
    SELECT places.id, inside.room FROM places JOIN inside ON places.parent_id = inside.id
)
SELECT rooms.id, rooms.unit_code, rooms.code, rooms.name, rooms.path,
    COALESCE(totals.capacity, 0), COALESCE(totals.occupied, 0)
FROM rooms LEFT JOIN (
    SELECT inside.room,
        SUM(CASE WHEN places.is_active OR places.occupied > 0 THEN places.capacity ELSE 0 END) AS capacity,
        SUM(CASE WHEN places.is_active OR places.occupied > 0 THEN places.occupied ELSE 0 END) AS occupied
    FROM inside JOIN places ON places.id = inside.id
    GROUP BY inside.room
) totals ON totals.room = rooms.id
"""


def _room_totals_sql(shape: str, *, unit_id: int | None = None) -> tuple[str, tuple[Any, ...]]:
    scoped = scope_to_unit(StorageLocation.objects.all(), _scope_reader(unit_id))
    places, places_params = (
        scoped.order_by().values("id", "parent_id", "capacity", "occupied", "is_active").query.sql_with_params()
    )
    rooms, rooms_params = (
        scoped.filter(parent__isnull=True)
        .order_by()
        .values("id", "code", "name", "path", unit_code=F("unit__code"))
        .query.sql_with_params()
    )
    return _ROOM_TOTALS.format(places=places, rooms=rooms), (*places_params, *rooms_params)


_room_totals = PreparedSQL(_room_totals_sql)


def _room_utilization(unit_id: int | None) -> list[dict[str, Any]]:
    """Capacity and occupancy summed over each top-level location (room) and everything in it,
    of the unit (None: of every unit)."""
    if unit_id is None:
        found = _room_totals.fetch(DEFAULT_DB_ALIAS, "all")
    else:
        found = _room_totals.fetch(DEFAULT_DB_ALIAS, "unit", unit_id=unit_id)
    result = []
    for pk, unit_code, code, name, path, capacity, occupied in sorted(found, key=lambda row: (row[1], row[4])):
        result.append(
            {
                "id": pk,
                "unit_code": unit_code,
                "code": code,
                "name": name,
                "path": path,
                "capacity": capacity,
                "occupied": occupied,
                "free": max(capacity - occupied, 0),
                "utilization": round(100 * occupied / capacity, 1) if capacity else 0.0,
            }
        )
    return result


OPEN_REQUEST_STATUSES = (
    Request.Status.SUBMITTED,
    Request.Status.APPROVED,
    Request.Status.ISSUED,
    Request.Status.IN_TRANSIT,
)


def _by_unit(user: Any, today: Any) -> list[dict[str, Any]]:
    """The System Administrator's figures per unit (docs/workflows.md): five grouped queries,
    whatever the number of units."""
    if not user.is_system_admin:
        return []
    units: dict[int, dict[str, Any]] = {
        pk: {
            "unit": pk,
            "unit_code": code,
            "unit_name": name,
            "crates_by_status": dict.fromkeys(Crate.Status.values, 0),
            "open_requests": 0,
            "pending_approvals": 0,
            "overdue_withdrawals": 0,
            "due_for_destruction": 0,
            "capacity": 0,
            "occupied": 0,
        }
        for pk, code, name in Unit.objects.filter(is_active=True).order_by("code").values_list("pk", "code", "name")
    }
    for unit_id, status, count in Crate.objects.order_by().values_list("unit_id", "status").annotate(n=Count("id")):
        if unit_id in units:
            units[unit_id]["crates_by_status"][status] = count
    due = Crate.objects.filter(rules.due_for_destruction_q(today=today)).order_by().values_list("unit_id")
    for unit_id, count in due.annotate(n=Count("id")):
        if unit_id in units:
            units[unit_id]["due_for_destruction"] = count
    requests = (
        Request.objects.order_by()
        .values_list("unit_id")
        .annotate(
            open=Count("id", filter=Q(status__in=OPEN_REQUEST_STATUSES)),
            submitted=Count("id", filter=Q(status=Request.Status.SUBMITTED)),
            overdue=Count("id", filter=rules.overdue_q(today=today)),
        )
    )
    for unit_id, open_count, submitted, overdue in requests:
        if unit_id in units:
            units[unit_id].update(open_requests=open_count, pending_approvals=submitted, overdue_withdrawals=overdue)
    places = (
        StorageLocation.objects.filter(is_active=True)
        .order_by()
        .values_list("unit_id")
        .annotate(capacity=Sum("capacity"), occupied=Sum("occupied"))
    )
    for unit_id, capacity, occupied_count in places:
        if unit_id in units:
            units[unit_id].update(capacity=capacity or 0, occupied=occupied_count or 0)
    rows = list(units.values())
    for row in rows:
        row["utilization"] = round(100 * row["occupied"] / row["capacity"], 1) if row["capacity"] else 0.0
    return rows


# What every user of a unit sees alike: counts, overdue withdrawals, crates due for destruction
# and room utilization (the aggregates over the unit's tables). Recomputed whenever the unit's
# data changed, which under writes is nearly every dashboard read: as prepared reads (below),
# compiled once per process, they cost no query building per recompute (5.2 ms of Python per
# recompute before, 0.7 ms after: OPTIMIZATIONS.md §2.W). Each query is written once, here, for
# both the unit's prepared reads and the System Administrator's view of every unit.
def _crate_counts(crates: QuerySet[Crate]) -> Any:
    return crates.order_by().values_list("status").annotate(count=Count("id"))


def _request_counts(requests: QuerySet[Request]) -> Any:
    return requests.order_by().values_list("request_type", "status").annotate(count=Count("id"))


def _overdue(requests: QuerySet[Request], today: datetime.date) -> Any:
    return _summary_rows(requests.filter(rules.overdue_q(today=today)), "expected_return_date")


def _due(crates: QuerySet[Crate], today: datetime.date) -> Any:
    # Counted per unit (one row for a unit's reader), so that the count is a read of rows too.
    return (
        crates.filter(rules.due_for_destruction_q(today=today)).order_by().values_list("unit").annotate(n=Count("id"))
    )


def _figures(
    crate_counts: Any, request_counts: Any, overdue: list[dict[str, Any]], due: Any, rooms: list[dict[str, Any]]
) -> dict[str, Any]:
    crates_by_status = dict.fromkeys(Crate.Status.values, 0)
    crates_by_status.update(dict(crate_counts))
    requests_by_type: dict[str, dict[str, int]] = {
        request_type: dict.fromkeys(Request.Status.values, 0) for request_type in Request.Type.values
    }
    for request_type, status, count in request_counts:
        requests_by_type[request_type][status] = count
    return {
        "crates_by_status": crates_by_status,
        "requests_by_type": requests_by_type,
        "overdue_withdrawals": _summaries_of(overdue),
        "due_for_destruction": sum(count for _, count in due),
        "location_utilization": rooms,
    }


def _scope_reader(unit_id: int | None) -> Any:
    """A stand-in for every reader of a unit's shared figures (None: of every unit)."""
    return _reader(user_id=0, unit_id=unit_id, everywhere=unit_id is None)


def _unit_crates(unit_id: int) -> QuerySet[Crate]:
    return scope_to_unit(Crate.objects.all(), _scope_reader(unit_id))


def _unit_requests(unit_id: int) -> QuerySet[Request]:
    """The unit's requests but drafts, which are their author's alone (the reader's own drafts
    are counted apart and added)."""
    shared = Request.objects.exclude(status=Request.Status.DRAFT).select_related("unit", "target_unit", "requester")
    return scope_to_unit(shared, _scope_reader(unit_id), "unit", "target_unit")


_unit_crate_counts = PreparedRead[Any](lambda shape, *, unit_id: _crate_counts(_unit_crates(unit_id)))
_unit_request_counts = PreparedRead[Any](lambda shape, *, unit_id: _request_counts(_unit_requests(unit_id)))
_unit_overdue = PreparedRead[Any](lambda shape, *, unit_id, today: _overdue(_unit_requests(unit_id), today))
# Planned for each day (PreparedRead's `plan_each_run`): a plan for any day read every crate of the unit.
_unit_due = PreparedRead[Any](lambda shape, *, unit_id, today: _due(_unit_crates(unit_id), today), plan_each_run=True)


def _shared_unit_figures(unit_id: int) -> dict[str, Any]:
    today = timezone.localdate()
    return _figures(
        _unit_crate_counts.fetch("unit", unit_id=unit_id),
        _unit_request_counts.fetch("unit", unit_id=unit_id),
        _unit_overdue.fetch("unit", unit_id=unit_id, today=today),
        _unit_due.fetch("unit", unit_id=unit_id, today=today),
        _room_utilization(unit_id),
    )


def _every_units_figures(user: Any, today: datetime.date) -> dict[str, Any]:
    """The figures of every unit together, for a System Administrator (their own drafts included)."""
    crates, requests = scope_to_unit(Crate.objects.all(), user), _visible(user)
    return _figures(
        _crate_counts(crates),
        _request_counts(requests),
        list(_overdue(requests, today)),
        _due(crates, today),
        _room_utilization(None),
    )


# What is the user's own on the dashboard (what waits for them, their drafts, their unread
# count) is read on every miss of its cache: as prepared reads (apps/core/prepared.py),
# compiled once per process and role shape, they cost no query building per request, which
# was most of a dashboard's CPU (OPTIMIZATIONS.md §2.N). Each is built for a stand-in of the
# user: the same rules (`access`, the unit scope) asked of the same id, unit and capability.
def _reader(*, user_id: int, unit_id: int | None, everywhere: bool) -> Any:
    # Asked by the awaiting rules only for a user whose actor rule is not empty (`_awaiting_summaries`).
    return SimpleNamespace(
        pk=user_id, unit_id=unit_id, is_system_admin=everywhere, is_authenticated=True, has_perm=lambda perm: True
    )


def _visible(reader: Any) -> QuerySet[Request]:
    return request_list_for(reader).select_related("unit", "target_unit", "requester")


# Each list of what waits for the user, in the order it is shown.
_AWAITED = {"approve": "submitted_at", "execute": "decided_at", "receive": "executed_at"}


def _awaiting_queryset(shape: tuple[str, bool], *, user_id: int, unit_id: int | None = None) -> Any:
    action, everywhere = shape
    reader = _reader(user_id=user_id, unit_id=unit_id, everywhere=everywhere)
    return _summary_rows(_visible(reader).filter(access.awaiting_action_q(reader, action)), _AWAITED[action])


def _own_drafts_queryset(shape: str, *, user_id: int, unit_id: int) -> Any:
    reader = _reader(user_id=user_id, unit_id=unit_id, everywhere=False)
    drafts = Request.objects.filter(status=Request.Status.DRAFT, requester_id=user_id)
    return (
        scope_to_unit(drafts, reader, "unit", "target_unit")
        .order_by()
        .values_list("request_type")
        .annotate(count=Count("id"))
    )


def _unread_queryset(shape: str, *, user_id: int) -> Any:
    # The count rides on the first row (a window over all of them); no row means none.
    unread = Notification.objects.filter(user_id=user_id, read_at__isnull=True)
    return unread.annotate(total=Window(Count("id"))).order_by().values("total")[:1]


_awaiting = PreparedRead[Any](_awaiting_queryset)
_own_drafts = PreparedRead[Any](_own_drafts_queryset)
_unread = PreparedRead[Any](_unread_queryset)


def _awaiting_summaries(user: Any, action: str) -> dict[str, Any]:
    """What waits for `user` to take `action` (`access.awaiting_action_q`): none without the
    capability, as the rule's empty filter answers without a query."""
    if access.actor_q(access.REQUEST_ACTORS[action], user) is access.NOTHING:
        return {"count": 0, "top": []}
    if user.is_system_admin:
        found = _awaiting.fetch((action, True), user_id=user.pk)
    else:
        found = _awaiting.fetch((action, False), user_id=user.pk, unit_id=user.unit_id)
    return _summaries_of(found)


def dashboard_for(user: Any) -> dict[str, Any]:
    today = timezone.localdate()
    if access.unit_scope_q(user) is None:  # all units (System Administrator): not shared
        unit = _every_units_figures(user, today)
    else:
        # Computed only when the unit's cached figures are missing or stale.
        unit = unit_cache.for_unit(user.unit_id, "dashboard", lambda: _shared_unit_figures(user.unit_id))
        requests_by_type = {kind: dict(counts) for kind, counts in unit["requests_by_type"].items()}
        for request_type, count in _own_drafts.fetch("own", user_id=user.pk, unit_id=user.unit_id):
            requests_by_type[request_type][Request.Status.DRAFT] = count
        unit = {**unit, "requests_by_type": requests_by_type}
    return {
        "crates_by_status": unit["crates_by_status"],
        "requests_by_type": unit["requests_by_type"],
        "pending_approvals": _awaiting_summaries(user, "approve"),
        "to_execute": _awaiting_summaries(user, "execute"),
        "to_receive": _awaiting_summaries(user, "receive"),
        "overdue_withdrawals": unit["overdue_withdrawals"],
        "due_for_destruction": unit["due_for_destruction"],
        "location_utilization": unit["location_utilization"],
        "unread_notifications": next((row["total"] for row in _unread.fetch("unread", user_id=user.pk)), 0),
        "by_unit": _by_unit(user, today),
    }


_Summaries = inline_serializer(
    "DashboardRequestSummaries",
    fields={"count": serializers.IntegerField(), "top": serializers.ListField(child=serializers.DictField())},
)

DashboardSerializer = inline_serializer(
    "Dashboard",
    fields={
        "crates_by_status": serializers.DictField(child=serializers.IntegerField()),
        "requests_by_type": serializers.DictField(child=serializers.DictField(child=serializers.IntegerField())),
        "pending_approvals": _Summaries,
        "to_execute": _Summaries,
        "to_receive": _Summaries,
        "overdue_withdrawals": _Summaries,
        "due_for_destruction": serializers.IntegerField(),
        "location_utilization": serializers.ListField(child=serializers.DictField()),
        "unread_notifications": serializers.IntegerField(),
        "by_unit": serializers.ListField(
            child=inline_serializer(
                "DashboardUnitFigures",
                fields={
                    "unit": serializers.IntegerField(),
                    "unit_code": serializers.CharField(),
                    "unit_name": serializers.CharField(),
                    "crates_by_status": serializers.DictField(child=serializers.IntegerField()),
                    "open_requests": serializers.IntegerField(),
                    "pending_approvals": serializers.IntegerField(),
                    "overdue_withdrawals": serializers.IntegerField(),
                    "due_for_destruction": serializers.IntegerField(),
                    "capacity": serializers.IntegerField(),
                    "occupied": serializers.IntegerField(),
                    "utilization": serializers.FloatField(),
                },
            ),
            help_text="System Administrator only (empty otherwise): the figures of each active unit",
        ),
    },
)


class DashboardView(APIView):
    """Counts by status, what waits for me, overdue withdrawals, crates due for destruction and
    room utilization — for the user's unit (all units for a System Administrator)."""

    # Cached answers (apps/auth/readcache.py): what waits for whom and the unread count are
    # the user's; overdue and due-for-destruction figures are at most READ_CACHE_SECONDS old.
    read_cache = {"get": readcache.USER}

    @extend_schema(responses={200: DashboardSerializer, 401: UNAUTHORIZED})
    def get(self, request: HttpRequest) -> Response:
        return Response(dashboard_for(request.user))
