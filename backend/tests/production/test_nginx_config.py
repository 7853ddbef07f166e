"""nginx/nginx.conf + nginx/conf.d/cipla_dms.conf (and the SPA's frontend/nginx.conf) pass
`nginx -t`, and nginx -t really catches a broken reference (so the positive run means
something)."""

import gzip
import http.client
from pathlib import Path

import pytest

from tests.production.support import (
    NginxLayout,
    ProcessGroup,
    free_port,
    make_test_certificate,
    nginx_test,
    render_nginx,
    require_tool,
    wait_until,
)


@pytest.fixture
def layout(tmp_path: Path) -> NginxLayout:
    cert, key = make_test_certificate(tmp_path / "ssl")
    for sub in ("static", "media", "spa"):
        (tmp_path / sub).mkdir()
    return NginxLayout(
        root=tmp_path / "nginx",
        https_port=free_port(),
        http_port=free_port(),
        backends=["127.0.0.1:18001", "127.0.0.1:18002"],
        websockets=["127.0.0.1:18003"],
        frontend="127.0.0.1:18080",
        cert=cert,
        key=key,
        static_root=tmp_path / "static",
        media_root=tmp_path / "media",
    )


def _render_and_break(layout: NginxLayout, file: str, old: str, new: str) -> Path:
    conf = render_nginx(layout)
    target = conf.parent / file
    text = target.read_text()
    assert old in text
    target.write_text(text.replace(old, new, 1))
    return conf


def test_shipped_nginx_config_passes_nginx_t(layout: NginxLayout, tmp_path: Path) -> None:
    conf = render_nginx(layout, frontend_root=tmp_path / "spa")

    result = nginx_test(conf)

    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr and "test is successful" in result.stderr


def test_nginx_t_fails_when_a_rate_limit_zone_is_missing(layout: NginxLayout) -> None:
    # The login location uses zone=dms_login; rename its definition.
    conf = _render_and_break(layout, "nginx.conf", "zone=dms_login:10m", "zone=dms_login_renamed:10m")

    result = nginx_test(conf)

    assert result.returncode != 0
    assert 'zero size shared memory zone "dms_login"' in result.stderr


def test_nginx_t_fails_when_the_backend_upstream_is_missing(layout: NginxLayout) -> None:
    conf = _render_and_break(
        layout, "conf.d/cipla_dms.conf", "upstream dms_backend {", "upstream dms_backend_renamed {"
    )

    result = nginx_test(conf)

    assert result.returncode != 0
    assert 'host not found in upstream "dms_backend"' in result.stderr


def test_nginx_t_fails_when_the_websocket_upstream_is_missing(layout: NginxLayout) -> None:
    conf = _render_and_break(
        layout, "conf.d/cipla_dms.conf", "upstream dms_websocket {", "upstream dms_websocket_renamed {"
    )

    result = nginx_test(conf)

    assert result.returncode != 0
    assert 'host not found in upstream "dms_websocket"' in result.stderr


def test_nginx_t_fails_when_the_certificate_is_missing(layout: NginxLayout) -> None:
    layout.cert.unlink()
    conf = render_nginx(layout)

    result = nginx_test(conf)

    assert result.returncode != 0
    assert "fullchain.pem" in result.stderr


def test_the_spa_server_sends_hashed_assets_precompressed_with_a_year_of_cache(
    layout: NginxLayout, tmp_path: Path
) -> None:
    """frontend/nginx.conf really serving a build: the .gz the build wrote, cached for a year;
    index.html (and a client-side route falling back to it) revalidated every time."""
    spa = tmp_path / "spa"
    (spa / "assets").mkdir()
    (spa / "index.html").write_text("<!doctype html><title>Cipla DMS</title>")
    source = b"console.log('cipla dms');" * 200
    (spa / "assets" / "index-AbC_12-z.js").write_bytes(source)
    (spa / "assets" / "index-AbC_12-z.js.gz").write_bytes(gzip.compress(source, 9))
    conf = render_nginx(layout, frontend_root=spa)
    host, port = layout.frontend.rsplit(":", 1)

    def get(path: str, encoding: str = "") -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection(host, int(port), timeout=5)
        try:
            connection.request("GET", path, headers={"Accept-Encoding": encoding} if encoding else {})
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()

    procs = ProcessGroup(tmp_path)
    nginx = require_tool("nginx")
    args = [nginx, "-c", str(conf), "-p", str(conf.parent), "-e", str(conf.parent / "logs" / "error.log")]
    procs.start("nginx", [*args, "-g", "daemon off;"], env={"PATH": "/usr/sbin:/usr/bin:/bin"})
    try:
        wait_until(lambda: get("/healthz")[0] == 200, timeout=20, what="nginx")
        status, headers, body = get("/assets/index-AbC_12-z.js", "gzip, br")
        assert status == 200
        assert headers["cache-control"] == "public, max-age=31536000, immutable"
        assert headers["content-encoding"] == "gzip"
        assert gzip.decompress(body) == source
        status, headers, body = get("/assets/index-AbC_12-z.js")
        assert (status, body, "content-encoding" in headers) == (200, source, False)
        for path in ("/", "/index.html", "/requests/12"):
            status, headers, _ = get(path)
            assert (status, headers.get("cache-control")) == (200, "no-cache"), path
    finally:
        procs.stop_all()
