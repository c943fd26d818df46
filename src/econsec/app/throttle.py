"""Sign-in limits: attempts per client address, and a lockout of an account after repeated
failures, both moving windows of the ``limits`` library (in the memory of each server
process). A locked account refuses even the right password until its window has passed, so
guessing one account's password from many addresses is as slow as from one."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from limits import RateLimitItem, parse, storage, strategies

from econsec.errors import TooManyRequests

__all__ = ["SignInThrottle"]


@dataclass
class SignInThrottle:
    """The sign-in limits of one server process."""

    per_minute: int = 60
    failures: int = 5
    minutes: int = 15
    _limiter: strategies.MovingWindowRateLimiter = field(init=False)
    _client: RateLimitItem = field(init=False)
    _account: RateLimitItem = field(init=False)

    def __post_init__(self) -> None:
        self._limiter = strategies.MovingWindowRateLimiter(storage.MemoryStorage())
        self._client = parse(f"{self.per_minute}/minute")
        self._account = parse(f"{self.failures}/{self.minutes} minutes")

    def _retry(self, item: RateLimitItem, *keys: str) -> int:
        reset = self._limiter.get_window_stats(item, *keys).reset_time
        return max(1, int(reset - time.time()) + 1)

    def admit(self, client: str, username: str) -> None:
        """Count an attempt from ``client``; :class:`TooManyRequests` when the client is over
        its limit or the account is locked."""
        if not self._limiter.hit(self._client, "client", client):
            raise TooManyRequests("too many sign-in attempts from this address",
                                  self._retry(self._client, "client", client))  # fmt: skip
        if not self._limiter.test(self._account, "account", username.casefold()):
            raise TooManyRequests("this account is locked after repeated failed sign-ins",
                                  self._retry(self._account, "account", username.casefold()))  # fmt: skip

    def failed(self, username: str) -> None:
        """Count a failed sign-in of an account (known or not: the same for both)."""
        self._limiter.hit(self._account, "account", username.casefold())
