from django.core.management import call_command

from apps.crates.models import Crate
from apps.requests.models import Request
from apps.setup.demo import create_demo_workflows
from apps.signatures.models import Signature
from apps.storage.models import StorageLocation


def test_initial_setup_demo_creates_workflows_once(db):
    call_command("initial_setup", "--demo", verbosity=0)

    statuses = sorted(Request.objects.values_list("request_type", "status"))
    assert statuses == [
        ("destruction", "submitted"),
        ("storage", "completed"),
        ("storage", "submitted"),
        ("transfer", "in_transit"),
        ("withdrawal", "approved"),
        ("withdrawal", "issued"),
    ]
    assert sorted(Crate.objects.values_list("status", flat=True)) == [
        "draft",
        "in_transit",
        "stored",
        "stored",
        "stored",
    ]
    assert sum(StorageLocation.objects.values_list("occupied", flat=True)) == 3
    assert Signature.objects.count() == 4

    assert create_demo_workflows() == 0
    assert Request.objects.count() == 6
