"""URL resolution remembered per path.

Django resolves every request's path by walking the URL patterns in order, raising and
catching a Resolver404 for each include that does not match and listing every pattern it
tried. This project has ~275 patterns, most of them in eleven includes under `api/`: an API
path cost 50 to 140 µs of CPU in a loop, 7 % of the read mix's CPU in a sampling profile, and
2.9 % of its instructions (OPTIMIZATIONS.md §2.P). A path resolves to the same view and
arguments every time, so the match is remembered per resolver and path (an LRU of 4,096 paths;
a path that does not resolve is not remembered and raises every time). Each caller gets a copy
of the match with its own argument dicts: middleware's process_view receives them and may
change them.
"""

import functools

from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest
from django.urls import ResolverMatch, URLResolver, get_resolver, get_urlconf, set_urlconf


@functools.lru_cache(maxsize=4096)
def _match(resolver: URLResolver, path: str) -> ResolverMatch:
    # Keyed by the resolver object: changing ROOT_URLCONF (tests) gives a new one.
    return resolver.resolve(path)


def resolve(path: str, urlconf: str | None = None) -> ResolverMatch:
    """`django.urls.resolve(path, urlconf)`, remembered per path."""
    shared = _match(get_resolver(get_urlconf() if urlconf is None else urlconf), path)
    match = ResolverMatch.__new__(ResolverMatch)  # copy.copy: Django refuses to pickle a match
    match.__dict__.update(shared.__dict__)
    for name in ("kwargs", "captured_kwargs", "extra_kwargs"):
        if shared.__dict__.get(name) is not None:
            match.__dict__[name] = dict(shared.__dict__[name])
    return match


class RememberedResolution:
    """A Django request handler that resolves paths through `resolve` (BaseHandler.resolve_request
    with the remembered match)."""

    def resolve_request(self, request: HttpRequest) -> ResolverMatch:
        urlconf = getattr(request, "urlconf", None)
        if urlconf is not None:
            set_urlconf(urlconf)
        match = resolve(request.path_info, urlconf)
        request.resolver_match = match
        return match


class WSGIApplication(RememberedResolution, WSGIHandler):
    """Django's WSGI handler (config/wsgi.py)."""


class ASGIApplication(RememberedResolution, ASGIHandler):
    """Django's ASGI handler (config/asgi.py)."""
