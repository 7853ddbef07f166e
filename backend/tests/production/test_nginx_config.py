"""nginx/nginx.conf + nginx/conf.d/cipla_dms.conf (and the SPA's frontend/nginx.conf) pass
`nginx -t`, and nginx -t really catches a broken reference (so the positive run means
something)."""

from pathlib import Path

import pytest

from tests.production.support import NginxLayout, free_port, make_test_certificate, nginx_test, render_nginx


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
