from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.requests import custody, views
from apps.requests.dashboard import DashboardView

router = SimpleRouter()
router.register("requests", views.RequestViewSet, basename="request")
router.register("sendbacks", views.SendBackViewSet, basename="sendback")
router.register("extensions", views.ReturnExtensionViewSet, basename="extension")

urlpatterns = [
    *router.urls,
    path("dashboard/", DashboardView.as_view(), name="dashboard"),
    path("custody/", custody.CustodyListView.as_view(), name="custody"),
    path("custody/people/", custody.CustodyPeopleView.as_view(), name="custody-people"),
    path("pick-list/", views.PickListView.as_view(), name="pick-list"),
]
