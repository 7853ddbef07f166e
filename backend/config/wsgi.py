"""WSGI entry point for the HTTP worker processes (granian, config/http_server.py).

Production serves HTTP (/api/, /admin/) here, on several processes so every core works
(one Python process uses one core), and WebSockets on Daphne (config.asgi). A plain WSGI
worker answers without the sync-to-async hop every ASGI request pays for a sync view, and
cached GET answers of the API are served in front of Django (apps/auth/fastpath.py).
"""

import gc
import os
from collections.abc import Callable, Iterable
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup(set_prefix=False)  # as django.core.wsgi.get_wsgi_application does

from apps.core.routing import WSGIApplication  # noqa: E402 - needs the settings configured above

# Django's WSGI handler, resolving each path once per process (apps/core/routing.py).
django_application = WSGIApplication()

from apps.auth.fastpath import FastPath  # noqa: E402

fast_path = FastPath(django_application)

# granian starts every request's environ from the process environment (CGI's custom): the
# database URL and the secrets would reach request.META, which Django's error e-mails list
# (its filter hides names with KEY, SECRET or PASS, not DATABASE_URL). A request's own keys
# (CGI's, the headers as HTTP_*, wsgi.*) are kept even where a variable shares the name.
_REQUEST_KEYS = {"REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "CONTENT_TYPE", "CONTENT_LENGTH"}
_REQUEST_KEYS |= {"SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL", "REMOTE_ADDR", "REMOTE_PORT"}
PROCESS_ONLY_KEYS = tuple(key for key in os.environ if key not in _REQUEST_KEYS and not key.startswith("HTTP_"))


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    for key in PROCESS_ONLY_KEYS:
        environ.pop(key, None)
    return fast_path(environ, start_response)


# Each worker has loaded the application: its modules, models, URL patterns and the querysets
# built once per process live as long as the worker. Frozen, they leave the garbage collector's
# generations, so a full collection walks only what requests made (it walked the whole
# application, ~100 ms, every few hundred requests: OPTIMIZATIONS.md §2.N).
gc.freeze()
