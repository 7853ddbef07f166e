from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.core.views import spa_index

api_patterns: list[URLPattern | URLResolver] = [
    path("", include("apps.core.urls")),
    path("", include("apps.auth.urls")),
    path("", include("apps.audit_api.urls")),
    path("", include("apps.signatures.urls")),
    path("", include("apps.storage.urls")),
    path("", include("apps.crates.urls")),
    path("", include("apps.retention.urls")),
    path("", include("apps.requests.urls")),
    path("", include("apps.inventory.urls")),
    path("", include("apps.notifications.urls")),
    path("", include("apps.reports.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include(api_patterns)),
    # Client-side routes of the SPA fall back to its index.html. (/metrics is answered by
    # apps.core.metrics.MetricsMiddleware before URL routing.)
    re_path(r"^(?!api/|admin/|ws/|static/|metrics$).*$", spa_index, name="spa"),
]
