from django.test import Client

from apps.auth.models import User
from apps.requests.models import Request
from tests.requests.conftest import approved_request, make_crate


def test_admin_shows_requests_read_only(world):
    crate = make_crate(world)
    request = approved_request(world, {"request_type": "storage", "purpose": "p", "items": [{"crate": crate.pk}]})
    admin = User.objects.create_superuser(username="root", password="x", full_name="Root", email="r@x.local")
    client = Client()
    client.force_login(admin)

    for url in (
        "/admin/requests/request/",
        "/admin/requests/sendback/",
        "/admin/signatures/signature/",
        "/admin/requests/requestitem/",
        f"/admin/requests/request/{request['id']}/change/",
        f"/admin/requests/request/?q={request['number']}",
    ):
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/requests/request/add/").status_code == 403
    response = client.post(f"/admin/requests/request/{request['id']}/change/", {"status": "completed"})
    assert response.status_code == 403
    assert client.post(f"/admin/requests/request/{request['id']}/delete/", {"post": "yes"}).status_code == 403
    assert Request.objects.get(pk=request["id"]).status == "approved"
