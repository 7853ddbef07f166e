from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.signatures import views

router = SimpleRouter()
router.register("signatures", views.SignatureViewSet, basename="signature")

urlpatterns = [
    path("auth/signature-certification/", views.SignatureCertificationView.as_view(), name="signature-certification"),
    *router.urls,
]
