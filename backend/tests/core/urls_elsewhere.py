"""A URLconf of one path, for tests/core/test_routing.py (another ROOT_URLCONF)."""

from django.http import HttpResponse
from django.urls import path

urlpatterns = [path("elsewhere/", lambda request: HttpResponse("elsewhere"), name="elsewhere")]
