"""Settings for the processes the live tests start (Daphne, Celery): the app's own settings,
plus what the test suite needs from them."""

import os
from typing import Any, cast

from django.conf import global_settings

from config.settings import *  # noqa: F403
from config.settings import CHANNEL_LAYERS

# The suite hashes passwords with MD5 for speed (tests/conftest.py); the processes must read them.
PASSWORD_HASHERS = [*global_settings.PASSWORD_HASHERS, "django.contrib.auth.hashers.MD5PasswordHasher"]

if os.environ.get("TEST_CHANNEL_LAYER_URL"):
    # This process's channel layer (only) goes through the test's TCP proxy.
    layer_config = cast(dict[str, Any], CHANNEL_LAYERS["default"]["CONFIG"])
    layer_config["hosts"] = [
        {"address": os.environ["TEST_CHANNEL_LAYER_URL"], "socket_timeout": None},
    ]
