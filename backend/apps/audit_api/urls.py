from rest_framework.routers import SimpleRouter

from apps.audit_api.views import AuditEventViewSet, AuditReviewViewSet

router = SimpleRouter()
# Before "audit": its detail route would otherwise take "reviews" for an event's id.
router.register("audit/reviews", AuditReviewViewSet, basename="audit-review")
router.register("audit", AuditEventViewSet, basename="audit")

urlpatterns = router.urls
