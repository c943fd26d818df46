"""Encryption at rest of confidential fields: AES-256-GCM with a key ring.

A sealed value is ``v1.<key id>.<nonce>.<ciphertext+tag>`` (base64url), with the record's
identity as associated data, so a ciphertext copied to another record does not open. Keys are
named; new values are sealed with the current key and old ones open with the key that sealed
them. Rotation: add a new key and make it current, re-seal (``econsec admin rotate-keys``), then
drop the old key. See docs/platform.md.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass

from econsec.errors import ConfigError

__all__ = ["KeyRing", "new_key"]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_key() -> str:
    """A fresh 256-bit key, base64url."""
    return _b64(os.urandom(32))


@dataclass(frozen=True)
class KeyRing:
    """Named AES-256 keys (base64url) and the id of the current one.

    >>> ring = KeyRing({"k1": new_key()}, "k1")
    >>> ring.open(ring.seal(b"secret", b"row-1"), b"row-1")
    b'secret'
    """

    keys: Mapping[str, str]
    current: str

    def __post_init__(self) -> None:
        if self.current not in self.keys:
            raise ConfigError(f"the current data key {self.current!r} is not in the key ring")
        for kid, key in self.keys.items():
            if "." in kid or not kid:
                raise ConfigError(f"data key id {kid!r} must be non-empty and without '.'")
            try:
                size = len(_unb64(key))
            except ValueError:
                size = -1
            if size != 32:
                raise ConfigError(f"data key {kid!r} is not 32 bytes of base64url")

    def seal(self, plain: bytes, context: bytes) -> str:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        nonce = os.urandom(12)
        sealed = AESGCM(_unb64(self.keys[self.current])).encrypt(nonce, plain, context)
        return f"v1.{self.current}.{_b64(nonce)}.{_b64(sealed)}"

    def open(self, token: str, context: bytes) -> bytes:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        version, kid, nonce, sealed = token.split(".")
        if version != "v1" or kid not in self.keys:
            raise ConfigError(f"no data key {kid!r} to open a sealed value (was a key dropped?)")
        return AESGCM(_unb64(self.keys[kid])).decrypt(_unb64(nonce), _unb64(sealed), context)

    def key_id(self, token: str) -> str:
        return token.split(".")[1]

    def _mac_key(self, kid: str) -> bytes:
        """A key for MACs derived from data key ``kid`` (never used to encrypt)."""
        return hmac.new(_unb64(self.keys[kid]), b"econsec audit chain 1", hashlib.sha256).digest()

    def tag(self, data: bytes) -> str:
        """``data`` sealed with the current key: ``<key id>.<HMAC-SHA256, hex>``.

        >>> ring = KeyRing({"k1": new_key()}, "k1")
        >>> ring.valid(b"entry", ring.tag(b"entry")), ring.valid(b"other", ring.tag(b"entry"))
        (True, False)
        """
        mac = hmac.new(self._mac_key(self.current), data, hashlib.sha256).hexdigest()
        return f"{self.current}.{mac}"

    def valid(self, data: bytes, tag: str) -> bool:
        """Whether ``tag`` seals ``data`` under one of the ring's keys."""
        kid, _, mac = tag.partition(".")
        if kid not in self.keys:
            return False
        expected = hmac.new(self._mac_key(kid), data, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, mac)
