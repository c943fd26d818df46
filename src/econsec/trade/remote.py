"""Talking to data publishers over HTTP: bounded retries, rate limits, resumable downloads.

Every request goes through :func:`get`: a transient failure (a timeout, a dropped connection,
HTTP 500/502/503/504) is retried with a bounded exponential backoff; HTTP 429 waits for the
server's ``Retry-After`` (capped); a missing network or a proxy that wants credentials is an
error that says so (``HTTPS_PROXY`` and ``NO_PROXY`` are honoured, as by every httpx client).
:func:`download` streams a file to ``<target>.part``, resumes an interrupted download with an
HTTP ``Range`` request, checks the size the server announced and renames the file into place
only when it is whole.
"""

from __future__ import annotations

import email.utils
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from econsec.errors import NotFoundError, SourceUnavailable

__all__ = ["Downloaded", "Remote", "download", "get"]

#: Statuses worth asking again: the server or a gateway failed for the moment.
TRANSIENT = frozenset({500, 502, 503, 504})
#: The longest wait for a ``Retry-After`` before giving up (seconds).
MAX_WAIT = 120.0


@dataclass(frozen=True, slots=True)
class Remote:
    """How to reach a publisher: the HTTP client, how many attempts a request gets, the first
    backoff (doubled after each failure) and the clock to sleep on (tests pass a fake)."""

    client: httpx.Client = field(
        default_factory=lambda: httpx.Client(
            timeout=httpx.Timeout(60.0, connect=15.0), follow_redirects=True
        )
    )
    attempts: int = 5
    backoff: float = 1.0
    sleep: Callable[[float], None] = time.sleep


@dataclass(frozen=True, slots=True)
class Downloaded:
    """A file fetched whole: where it is, its size and SHA-256, and whether a partial download
    was resumed."""

    path: Path
    size: int
    sha256: str
    resumed: bool


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    when = email.utils.parsedate_to_datetime(value)
    return max(0.0, when.timestamp() - time.time()) if when else None


def _unreachable(url: str, exc: Exception) -> SourceUnavailable:
    host = urlsplit(url).hostname or url
    return SourceUnavailable(
        f"cannot reach {host} ({type(exc).__name__}: {exc}); check the network connection, or "
        "set HTTPS_PROXY (and NO_PROXY) if this machine reaches the internet through a proxy"
    )


def get(remote: Remote, url: str, *, stream: bool = False, **options: Any) -> httpx.Response:
    """GET ``url`` with retries; the response of any non-transient status is returned (the
    caller reads its own errors), a streamed one left open for the caller to read and close.

    Parameters
    ----------
    remote : Remote
        The client and retry settings.
    url : str
        The address.
    stream : bool
        Return before reading the body.
    **options
        Passed to :meth:`httpx.Client.build_request` (``params``, ``headers``).

    Returns
    -------
    httpx.Response

    Examples
    --------
    >>> transport = httpx.MockTransport(lambda request: httpx.Response(200, text="ok"))
    >>> get(Remote(httpx.Client(transport=transport)), "https://example.org/").text
    'ok'
    """
    delay = remote.backoff
    for attempt in range(1, remote.attempts + 1):
        last = attempt == remote.attempts
        try:
            response = remote.client.send(remote.client.build_request("GET", url, **options),
                                          stream=stream)  # fmt: skip
        except httpx.ProxyError as exc:
            raise SourceUnavailable(
                f"the proxy refused the request for {url} ({exc}); give its credentials in "
                "HTTPS_PROXY, e.g. http://user:password@proxy:8080"
            ) from None
        except httpx.TransportError as exc:
            if last:
                raise _unreachable(url, exc) from None
            remote.sleep(delay)
            delay *= 2
            continue
        if response.status_code == 407:
            response.close()
            raise SourceUnavailable(
                f"the proxy wants credentials for {url}; give them in HTTPS_PROXY, e.g. "
                "http://user:password@proxy:8080"
            )
        if response.status_code == 429 and not last:
            wait = _retry_after(response)
            response.close()
            if wait is not None and wait > MAX_WAIT:
                return response
            remote.sleep(delay if wait is None else wait)
            delay *= 2
            continue
        if response.status_code in TRANSIENT and not last:
            response.close()
            remote.sleep(delay)
            delay *= 2
            continue
        return response
    raise AssertionError("unreachable")  # the last attempt returns or raises


def _total(response: httpx.Response, offset: int) -> int | None:
    """The whole file's size the server announced (``Content-Range`` or length + offset)."""
    if response.status_code == 206:
        total = response.headers.get("Content-Range", "").rpartition("/")[2]
        return int(total) if total.isdigit() else None
    length = response.headers.get("Content-Length")
    return int(length) if length and length.isdigit() else None


def download(
    remote: Remote,
    url: str,
    target: Path,
    progress: Callable[[int, int | None], None] | None = None,
) -> Downloaded:
    """Fetch ``url`` to ``target``, resuming ``target.part`` when an earlier run was cut off.

    Parameters
    ----------
    remote : Remote
        The client and retry settings.
    url : str
        The file's address.
    target : Path
        Where the whole file goes (its folder is created).
    progress : callable, optional
        Called with (bytes so far, total bytes or None) as the file streams in.

    Returns
    -------
    Downloaded

    Raises
    ------
    NotFoundError
        The server has no such file (404).
    SourceUnavailable
        The network, the proxy or the server failed, or the file came short of its size.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    resumed, total = False, None
    for _ in range(remote.attempts):
        offset = partial.stat().st_size if partial.exists() else 0
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        response = get(remote, url, stream=True, headers=headers)
        try:
            if response.status_code == 404:
                raise NotFoundError(f"{url}: not on the server (404)")
            if response.status_code == 416 and offset:  # the partial file is already whole
                break
            if response.status_code not in (200, 206):
                raise SourceUnavailable(f"{url}: the server answered {response.status_code}")
            if response.status_code == 200:
                offset = 0  # the server ignored the range: start again
            resumed = resumed or offset > 0
            total = _total(response, offset)
            done = offset
            try:
                with partial.open("ab" if offset else "wb") as out:
                    for chunk in response.iter_bytes():  # as it arrives: a cut keeps it
                        out.write(chunk)
                        done += len(chunk)
                        if progress:
                            progress(done, total)
            except httpx.TransportError:
                continue  # cut off: resume from what arrived
        finally:
            response.close()
        if total is None or done == total:
            break
    else:
        raise SourceUnavailable(f"{url}: the download kept breaking off; run the command again "
                                "to resume it")  # fmt: skip
    size = partial.stat().st_size
    if total is not None and size != total:
        raise SourceUnavailable(
            f"{url}: received {size} bytes of {total}; run the command again to resume"
        )
    digest = hashlib.sha256()
    with partial.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    partial.replace(target)
    return Downloaded(target, size, digest.hexdigest(), resumed)
