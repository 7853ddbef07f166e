"""WSGI entry point for the HTTP worker processes (granian, config/http_server.py).

Production serves HTTP (/api/, /admin/) here, on several processes so every core works
(one Python process uses one core), and WebSockets on Daphne (config.asgi). A plain WSGI
worker answers without the sync-to-async hop every ASGI request pays for a sync view, and
cached GET answers of the API are served in front of Django (apps/auth/fastpath.py).
"""

import gc
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup(set_prefix=False)  # as django.core.wsgi.get_wsgi_application does

from apps.core.routing import WSGIApplication  # noqa: E402 - needs the settings configured above

# Django's WSGI handler, resolving each path once per process (apps/core/routing.py).
django_application = WSGIApplication()

from apps.auth.fastpath import FastPath  # noqa: E402

application = FastPath(django_application)

# Each worker has loaded the application: its modules, models, URL patterns and the querysets
# built once per process live as long as the worker. Frozen, they leave the garbage collector's
# generations, so a full collection walks only what requests made (it walked the whole
# application, ~100 ms, every few hundred requests: OPTIMIZATIONS.md §2.N).
gc.freeze()
