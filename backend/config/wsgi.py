"""WSGI entry point for the HTTP worker processes (gunicorn, config/gunicorn.conf.py).

Production serves HTTP (/api/, /admin/) here, on several processes so every core works
(one Python process uses one core), and WebSockets on Daphne (config.asgi). A plain WSGI
worker answers without the sync-to-async hop every ASGI request pays for a sync view, and
cached GET answers of the API are served in front of Django (apps/auth/fastpath.py).
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup(set_prefix=False)  # as django.core.wsgi.get_wsgi_application does

from apps.core.routing import WSGIApplication  # noqa: E402 - needs the settings configured above

# Django's WSGI handler, resolving each path once per process (apps/core/routing.py).
django_application = WSGIApplication()

from apps.auth.fastpath import FastPath  # noqa: E402

application = FastPath(django_application)
