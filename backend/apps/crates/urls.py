from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.crates import views

router = SimpleRouter()
router.register("crates", views.CrateViewSet, basename="crate")
router.register("documents", views.DocumentViewSet, basename="document")

urlpatterns = [
    *router.urls,
    path("scan/", views.ScanView.as_view(), name="scan"),
    path("labels/", views.LabelsView.as_view(), name="labels"),
]
