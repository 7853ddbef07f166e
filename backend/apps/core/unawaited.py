"""Redis writes whose reply is read later instead of waited for (the WSGI fast path's store).

A worker thread that waits for Redis's reply to a write sleeps for the round trip and wakes
again when the reply arrives; on a paced load such a wake-up cost more CPU than the write
itself (OPTIMIZATIONS.md §2.Q). A write whose result nobody needs at once (the cache entries
stored after an answer) is sent on a Redis connection of the thread's own, and its reply is
read before the thread's next write on that connection, by which time it has arrived.

Redis runs one connection's commands in the order they were sent, and the write is sent
before the answer leaves: a request that needs what it stored can only reach Redis after it.
An error reply or a lost connection is logged when it is found, as a waited write logged it:
the cache is a cache, and a write it missed is a later miss (docs/decisions.md, "Redis down").
"""

import logging
import threading
from typing import Any

from redis.exceptions import ResponseError

logger = logging.getLogger(__name__)


class UnawaitedWrites(threading.local):
    """Per thread: one connection to the server of the client last given, and how many replies
    on it are still unread."""

    def __init__(self) -> None:
        self.pool: Any = None
        self.connection: Any = None
        self.unread = 0

    def send(self, client: Any, *command: Any) -> None:
        """Send `command` to `client`'s server without waiting for its reply. Raises if it cannot
        be sent (the connection is then dropped; the next write opens another)."""
        pool = client.connection_pool
        if self.pool is not pool:
            self.drop()
        self.read_replies()
        if self.connection is not None and self._closed_by_server():
            self.drop()
        if self.connection is None:
            # A connection of the pool's kind and settings, outside the pool: it may always have
            # replies to read, so it must never be handed to anyone else.
            self.pool, self.connection = pool, pool.connection_class(**pool.connection_kwargs)
        try:
            self.connection.send_command(*command)
        except Exception:
            self.drop()
            raise
        self.unread += 1

    def read_replies(self) -> None:
        """Read the replies of the writes sent before (normally already arrived), logging errors."""
        while self.unread and self.connection is not None:
            self.unread -= 1
            try:
                self.connection.read_response()
            except ResponseError:
                logger.warning("a cache write was refused", exc_info=True)
            except Exception:
                logger.warning("a cache write's reply could not be read", exc_info=True)
                self.drop()

    def _closed_by_server(self) -> bool:
        """Anything to read with no reply due is the server closing (a restart, a kill, a
        timeout): the write goes on a new connection instead of being lost on this one."""
        try:
            return bool(self.connection.can_read(timeout=0))
        except Exception:
            return True

    def drop(self) -> None:
        if self.connection is not None:
            self.connection.disconnect()
        self.pool, self.connection, self.unread = None, None, 0
