"""The server `make run` starts (Daphne on the embedded default) answers /api/health/."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

BACKEND = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_daphne_on_the_embedded_default_serves_health_and_the_api(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        {
            "DMS_DATA_DIR": str(tmp_path),
            "DMS_ADMIN_PASSWORD": "Adm1n&Password!",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
    )
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput"], cwd=BACKEND, env=env, check=True, capture_output=True)
    subprocess.run([*manage, "initial_setup", "--demo"], cwd=BACKEND, env=env, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
        cwd=BACKEND,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health/", timeout=2) as response:
                    health = json.loads(response.read())
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
        assert health == {"status": "ok", "database": "ok", "cache": "ok", "channel_layer": "ok"}
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/auth/login/",
            data=json.dumps({"username": "viewer", "password": "Demo@12345678"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert json.loads(response.read())["user"]["roles"] == ["Viewer"]
    finally:
        server.terminate()
        server.wait(timeout=10)
