from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.auth import views

router = SimpleRouter(trailing_slash=True)
router.register("units", views.UnitViewSet, basename="unit")
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("users", views.UserViewSet, basename="user")

urlpatterns = [
    path("auth/login/", views.LoginView.as_view(), name="login"),
    path("auth/refresh/", views.RefreshView.as_view(), name="token-refresh"),
    path("auth/logout/", views.LogoutView.as_view(), name="logout"),
    path("auth/me/", views.MeView.as_view(), name="me"),
    path("auth/change-password/", views.ChangePasswordView.as_view(), name="change-password"),
    path("auth/ws-ticket/", views.WsTicketView.as_view(), name="ws-ticket"),
    *router.urls,
]
