"""Every list endpoint runs a fixed number of queries whatever the page size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.notifications.models import Notification
from apps.requests.models import Request, RequestItem, SendBack, SendBackItem
from apps.signatures.models import Signature
from tests.requests.conftest import make_crate


@pytest.fixture
def many(world):
    """55 requests of every kind of item, with signatures, and 55 send-backs and notifications."""
    docmanager, approver = world.user("docmanager"), world.user("approver")
    for index in range(55):
        crate = make_crate(world, documents=2)
        document = crate.documents.first()
        request = Request.objects.create(
            number=f"REQ-QC-{index:04d}",
            request_type="withdrawal",
            status="issued" if index % 2 else "approved",
            unit=world.goa,
            requester=docmanager,
            purpose=f"purpose {index}",
            expected_return_date=timezone.localdate(),
            decided_by=approver,
            decided_at=timezone.now(),
            executed_by=world.user("storehead"),
            executed_at=timezone.now(),
        )
        item = RequestItem.objects.create(request=request, crate=crate, document=document, source_location=world.shelf)
        RequestItem.objects.create(request=request, crate=make_crate(world), source_location=world.shelf2)
        Signature.objects.create(
            subject=request,
            subject_number=request.number,
            unit=world.goa,
            content={"record": {"type": "request", "number": request.number}},
            content_hash="0" * 64,
            user=approver,
            username="approver",
            full_name="Approver",
            meaning="approved",
            signed_at=timezone.now(),
        )
        sendback = SendBack.objects.create(
            number=f"SB-QC-{index:04d}", request=request, unit=world.goa, returned_by=docmanager
        )
        SendBackItem.objects.create(sendback=sendback, request_item=item, location=world.shelf)
        Notification.objects.create(user=docmanager, title=f"n{index}", link="/requests/1")


def _queries(world, username, url):
    client = world.client(username)  # a fresh user: no permission cache carried over
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(context.captured_queries), response


@pytest.mark.parametrize(
    ("username", "url", "expected"),
    [
        ("docmanager", "/api/requests/", 7),
        ("docmanager", "/api/requests/?overdue=false&mine=true&search=purpose", 7),
        ("storehead", "/api/requests/?awaiting_my_action=execute", 7),
        ("sysadmin", "/api/requests/?status=approved&request_type=withdrawal", 7),
        ("docmanager", "/api/sendbacks/", 6),
        ("docmanager", "/api/notifications/?unread=true", 2),
    ],
)
def test_list_query_count_is_fixed(world, many, username, url, expected):
    separator = "&" if "?" in url else "?"
    small, response_small = _queries(world, username, f"{url}{separator}page_size=1")
    large, response_large = _queries(world, username, f"{url}{separator}page_size=50")
    assert len(response_small.data["results"]) == min(1, response_small.data["count"])
    assert len(response_large.data["results"]) == min(50, response_large.data["count"])
    assert (small, large) == (expected, expected)


def test_dashboard_query_count_is_fixed(world, many):
    # Sections for a capability the role lacks cost no query; the rest one or two each. The
    # unit's figures (6 queries) are computed by the first user of the unit and then shared
    # until the unit changes (apps/core/readcache.py); each user's own drafts are one query more.
    # The System Administrator's span all units and are not shared.
    # Each list of what waits is one query: its first rows carry the count (a window).
    expected = {"docmanager": 10, "approver": 6, "storehead": 7, "sysadmin": 17}  # sysadmin: + 5 per unit
    answers = {username: _queries(world, username, "/api/dashboard/") for username in expected}
    assert {username: count for username, (count, _) in answers.items()} == expected
    to_execute = answers["storehead"][1].data["to_execute"]
    approved = Request.objects.filter(status="approved", unit=world.goa).count()
    assert (to_execute["count"], len(to_execute["top"]), approved) == (28, 5, 28)
    assert answers["approver"][1].data["pending_approvals"] == {"count": 0, "top": []}


def test_dashboard_query_count_does_not_grow_with_data(world):
    empty = {username: _queries(world, username, "/api/dashboard/")[0] for username in ("docmanager", "storehead")}
    assert empty == {"docmanager": 10, "storehead": 7}
