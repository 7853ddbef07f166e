from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.health import redis_down, run_checks

HealthSerializer = inline_serializer(
    "Health",
    fields={
        "status": serializers.ChoiceField(choices=["ok", "degraded"]),
        "database": serializers.CharField(),
        "cache": serializers.CharField(),
        "channel_layer": serializers.CharField(),
        "down": serializers.ListField(child=serializers.CharField(), required=False),
        "detail": serializers.CharField(required=False),
    },
)


class HealthView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @extend_schema(responses={200: HealthSerializer, 503: HealthSerializer}, auth=[])
    def get(self, request: Request) -> Response:
        results = run_checks()
        down = [name for name, state in results.items() if state != "ok"]
        if down:
            body: dict[str, object] = {"status": "degraded", **results, "down": down}
            if redis_down(results):
                body["detail"] = "Redis is unreachable: no live updates; the API works without them."
            return Response(body, status=503)
        return Response({"status": "ok", **results})


def spa_index(request: HttpRequest) -> HttpResponseBase:
    """Serve the built SPA's index.html for any client-side route."""
    index = settings.SPA_DIST_DIR / "index.html"
    if not index.exists():
        return HttpResponse(
            "The web app is not built yet: run `make run` (or `npm run build` in frontend/).",
            status=503,
            content_type="text/plain",
        )
    response = FileResponse(index.open("rb"), content_type="text/html")
    response["Cache-Control"] = "no-cache"
    return response
