"""OpenAPI: document our JWT authentication as a Bearer scheme (drf-spectacular extension)."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class VersionedJWTScheme(SimpleJWTScheme):
    target_class = "apps.auth.authentication.VersionedJWTAuthentication"
    name = "jwtAuth"
