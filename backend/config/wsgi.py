"""WSGI entry point for the HTTP worker processes (gunicorn, config/gunicorn.conf.py).

Production serves HTTP (/api/, /admin/) here, on several processes so every core works
(one Python process uses one core), and WebSockets on Daphne (config.asgi). A plain WSGI
worker answers without the sync-to-async hop every ASGI request pays for a sync view.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
