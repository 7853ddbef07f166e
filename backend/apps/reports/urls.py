from rest_framework.routers import SimpleRouter

from apps.reports.views import ReportViewSet

router = SimpleRouter()
router.register("reports", ReportViewSet, basename="report")

urlpatterns = router.urls
