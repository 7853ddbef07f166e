"""The built SPA as Daphne serves it (WhiteNoise): content-hashed assets precompressed and cached
for a year, index.html always revalidated (docs/decisions.md; nginx does the same in
frontend/nginx.conf, tests/production/test_nginx_config.py)."""

import gzip
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings

ASSET = "/assets/index-AbC_12-z.js"
SOURCE = b"console.log('cipla dms');" * 100


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    assets = tmp_path / "assets"
    assets.mkdir()
    (tmp_path / "index.html").write_text('<script type="module" src="/assets/index-AbC_12-z.js"></script>')
    (assets / "index-AbC_12-z.js").write_bytes(SOURCE)
    (assets / "index-AbC_12-z.js.gz").write_bytes(gzip.compress(SOURCE))
    (assets / "index-AbC_12-z.js.br").write_bytes(b"brotli bytes")
    (assets / "unhashed.js").write_bytes(SOURCE)
    return tmp_path


def _get(dist: Path, url: str, encoding: str = "") -> Any:
    # A fresh Client loads the middleware again, so WhiteNoise reads the overridden root.
    with override_settings(WHITENOISE_ROOT=dist, SPA_DIST_DIR=dist):
        return Client().get(url, headers={"Accept-Encoding": encoding} if encoding else {})


def test_a_hashed_asset_is_cached_for_a_year_and_sent_as_brotli_when_accepted(dist: Path) -> None:
    response = _get(dist, ASSET, "gzip, deflate, br")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["Content-Encoding"] == "br"
    assert "Accept-Encoding" in response["Vary"]
    assert b"".join(response.streaming_content) == b"brotli bytes"


def test_gzip_when_brotli_is_not_accepted_and_plain_when_nothing_is(dist: Path) -> None:
    zipped = _get(dist, ASSET, "gzip")
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(b"".join(zipped.streaming_content)) == SOURCE
    plain = _get(dist, ASSET)
    assert not plain.has_header("Content-Encoding")
    assert b"".join(plain.streaming_content) == SOURCE
    assert plain["Cache-Control"] == "public, max-age=31536000, immutable"


def test_index_html_and_client_side_routes_are_always_revalidated(dist: Path) -> None:
    for url in ("/index.html", "/", "/requests/12"):
        response = _get(dist, url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "no-cache", url


def test_a_file_without_a_content_hash_is_not_cached_for_a_year(dist: Path) -> None:
    response = _get(dist, "/assets/unhashed.js")
    assert response.status_code == 200
    assert "immutable" not in response["Cache-Control"]
