"""Redis writes whose reply is read before the next write instead of waited for
(apps/core/unawaited.py), against a real Redis."""

import logging
import os
from collections.abc import Iterator

import pytest
import redis
from redis.connection import Connection

from apps.core.unawaited import UnawaitedWrites
from tests.conftest import record_calls

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a real Redis: set REDIS_URL")


@pytest.fixture
def client() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    client.delete("unawaited:a", "unawaited:b")
    yield client
    client.delete("unawaited:a", "unawaited:b")
    client.close()


def test_a_write_is_applied_and_its_reply_read_before_the_next_one(
    client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes = UnawaitedWrites()
    writes.send(client, "PING")  # connected (its handshake reads replies)
    writes.read_replies()
    read = record_calls(monkeypatch, Connection, "read_response")
    writes.send(client, "SET", "unawaited:a", "1")
    assert (len(read), writes.unread) == (0, 1)  # sent, not waited for
    writes.send(client, "SET", "unawaited:b", "2")
    assert (len(read), writes.unread) == (1, 1)  # the first reply, read before the second write
    writes.read_replies()
    assert client.mget("unawaited:a", "unawaited:b") == [b"1", b"2"]
    writes.drop()


def test_a_refused_write_is_logged_and_a_connection_the_server_closed_is_replaced(
    client: redis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    writes = UnawaitedWrites()
    client.set("unawaited:a", "not a number")
    writes.send(client, "INCR", "unawaited:a")  # refused by Redis: found when read
    with caplog.at_level(logging.WARNING, logger="apps.core.unawaited"):
        writes.send(client, "SET", "unawaited:b", "1")
    assert "refused" in caplog.text
    writes.read_replies()
    assert client.get("unawaited:b") == b"1"

    killed = writes.connection
    host, port = killed._sock.getsockname()[:2]
    client.client_kill(f"{host}:{port}")  # the server closes the writes' connection
    writes.send(client, "SET", "unawaited:b", "2")
    assert writes.connection is not killed  # seen closed before the write, which went on a new one
    writes.read_replies()
    assert client.get("unawaited:b") == b"2"
    writes.drop()
