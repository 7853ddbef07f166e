from rest_framework.routers import SimpleRouter

from apps.crates import views

router = SimpleRouter()
router.register("document-types", views.DocumentTypeViewSet, basename="document-type")

urlpatterns = router.urls
