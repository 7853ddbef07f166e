"""The channel layer of production and development: channels_redis pub/sub, decoding a message
once per process instead of once per receiving consumer.

The pub/sub layer reads a group's message from Redis once per process and puts the same bytes on
the queue of every consumer of the group; each consumer's `receive` then decrypts (Fernet: an
HMAC and AES) and unpacks them again, 200 times for an event to 200 sockets of a unit. Here the
last message decoded is kept with the bytes it came from: the next consumer handed the same bytes
object gets the same decoded message. Receivers must treat it as read-only (UpdatesConsumer does:
it also encodes the client's text once for it, apps.realtime.consumers).
"""

from typing import Any

from channels_redis.pubsub import RedisPubSubChannelLayer


class FanOutPubSubChannelLayer(RedisPubSubChannelLayer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (bytes, decoded) in one tuple, replaced at once: two loops of one process (tests) can
        # never pair one message's bytes with another's content. The bytes are held, so their
        # identity cannot be reused by another message.
        self._last: tuple[bytes, dict[str, Any]] | None = None

    def deserialize(self, message: bytes) -> dict[str, Any]:
        last = self._last
        if last is None or last[0] is not message:
            last = (message, super().deserialize(message))
            self._last = last
        return last[1]
