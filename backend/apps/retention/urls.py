from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.retention import views

router = SimpleRouter()
router.register("document-types", views.DocumentTypeViewSet, basename="document-type")
router.register("holds", views.HoldViewSet, basename="hold")
router.register("retention-recomputes", views.RetentionRecomputeViewSet, basename="retention-recompute")

urlpatterns = [
    path("retention-events/", views.RetentionEventView.as_view(), name="retention-events"),
    path("disposition/", views.DispositionView.as_view(), name="disposition"),
    path("disposition/extend/", views.DispositionExtendView.as_view(), name="disposition-extend"),
    path("crates/<int:pk>/legal-hold/", views.CrateLegalHoldView.as_view(), name="crate-legal-hold"),
    *router.urls,
]
