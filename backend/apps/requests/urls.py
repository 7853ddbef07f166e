from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.requests import views
from apps.requests.dashboard import DashboardView

router = SimpleRouter()
router.register("requests", views.RequestViewSet, basename="request")
router.register("sendbacks", views.SendBackViewSet, basename="sendback")

urlpatterns = [*router.urls, path("dashboard/", DashboardView.as_view(), name="dashboard")]
