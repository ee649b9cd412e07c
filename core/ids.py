"""Opaque, prefixed, time-ordered identifiers: ``page_01JD5Q...``.

The body is a ULID (48-bit millisecond timestamp + random bits, Crockford base32), so ids of one
type sort by creation time, which keyset pagination and "newest first" rely on.
"""

import secrets
import threading
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _base32(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        value, digit = divmod(value, 32)
        chars.append(_ALPHABET[digit])
    return "".join(reversed(chars))


_lock = threading.Lock()
_last: dict[int, tuple[int, int]] = {}  # random_bits -> (millisecond, random part) issued last


def new_id(prefix: str, random_bits: int = 80) -> str:
    """Return ``<prefix>_<ulid>``; ``random_bits`` above 80 lengthens the id (subscribers).

    Monotonic within a process (as the ULID spec's monotonic mode): an id made in the same
    millisecond as the previous one increments its random part, so creation order is id order.
    """
    random_bits = max(80, random_bits + (-random_bits) % 5)
    with _lock:
        millis = time.time_ns() // 1_000_000
        last_millis, last_random = _last.get(random_bits, (-1, 0))
        if millis <= last_millis and last_random + 1 < 1 << random_bits:
            millis, random = last_millis, last_random + 1
        else:
            random = secrets.randbits(random_bits)
        _last[random_bits] = (millis, random)
    return f"{prefix}_{_base32(millis, 10)}{_base32(random, random_bits // 5)}"


class IdFactory:
    """A picklable default for model primary keys (migrations serialize it by path)."""

    def __init__(self, prefix: str, random_bits: int = 80):
        self.prefix = prefix
        self.random_bits = random_bits

    def __call__(self) -> str:
        return new_id(self.prefix, self.random_bits)

    def deconstruct(self):
        return ("core.ids.IdFactory", (self.prefix, self.random_bits), {})

    def __eq__(self, other):
        return isinstance(other, IdFactory) and (self.prefix, self.random_bits) == (
            other.prefix,
            other.random_bits,
        )

    def __hash__(self):
        return hash((self.prefix, self.random_bits))
