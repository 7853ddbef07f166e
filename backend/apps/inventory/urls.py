from rest_framework.routers import SimpleRouter

from apps.inventory import views

router = SimpleRouter()
router.register("counts", views.CountViewSet, basename="count")
router.register("imports", views.ImportViewSet, basename="import")

urlpatterns = router.urls
