from rest_framework.routers import SimpleRouter

from apps.storage.views import StorageLocationViewSet

router = SimpleRouter()
router.register("locations", StorageLocationViewSet, basename="location")

urlpatterns = router.urls
