"""Settings, read at the edges only: where the workspace is, and the platform's settings.

The workspace: ``--workspace DIR`` wins, then the environment variable ``ECONSEC_WORKSPACE``,
then the platform's user data folder (``~/.local/share/econsec`` on Linux, ``~/Library/
Application Support/econsec`` on macOS, ``%LOCALAPPDATA%\\econsec`` on Windows).

The platform reads these environment variables (all optional on a developer's machine):

=============================  ==========================================================
``ECONSEC_ENV``                ``development`` (default) or ``production``
``ECONSEC_DATABASE_URL``       SQLAlchemy URL; default SQLite ``WORKSPACE/platform/platform.db``
``ECONSEC_SECRET_KEY``         signs browser sessions and CSRF tokens (≥ 32 characters)
``ECONSEC_DATA_KEYS``          AES-256 data keys ``id:base64url,...``; the first is current
``ECONSEC_MAX_UPLOAD_BYTES``   largest accepted upload (default 5,000,000)
``ECONSEC_TOKEN_MINUTES``      lifetime of an access token (default 480)
``ECONSEC_MIN_FIRMS``          the disclosure guard's k (default 5)
``ECONSEC_DP_BUDGET``          lifetime differential-privacy budget ε of each firm (default 3)
``ECONSEC_UNANIMITY_MIN``      survey answers all alike from fewer firms are withheld (default 10)
``ECONSEC_BENCHMARK_PERIOD``   how often benchmarks are published: day, week, month (default)
                               or quarter (and sooner when k firms have changed)
``ECONSEC_FINDINGS_MAX_AGE``   seconds a browsed list of findings may lag behind submissions
                               (default 5; releases always use fresh findings)
``ECONSEC_LOG_LEVEL``          DEBUG, INFO, WARNING (default) or ERROR: what the commands and
                               the service log to standard error
``ECONSEC_SIGNIN_PER_MINUTE``  sign-in attempts per client address and minute (default 60)
``ECONSEC_LOCKOUT_FAILURES``   failed sign-ins that lock an account (default 5) ...
``ECONSEC_LOCKOUT_MINUTES``    ... for this many minutes (default 15)
=============================  ==========================================================

In development, missing secrets are generated once and kept in ``WORKSPACE/platform/
secrets.json``, readable by the owner only. In production nothing is generated: a missing,
short or well-known secret stops the service from starting.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from econsec.errors import ConfigError

if TYPE_CHECKING:  # imported when used: the CLI starts without the platform's packages
    from econsec.app.platform import PlatformSettings
    from econsec.storage.sealing import KeyRing

__all__ = ["WORKSPACE_ENV", "load_settings", "workspace_path"]

WORKSPACE_ENV = "ECONSEC_WORKSPACE"
_WELL_KNOWN = {"", "secret", "changeme", "change-me", "development", "dev", "test", "password"}


def workspace_path(option: Path | None) -> Path:
    """The workspace folder from the option, the environment or the platform default."""
    if option is not None:
        return option.expanduser()
    if os.environ.get(WORKSPACE_ENV):
        return Path(os.environ[WORKSPACE_ENV]).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("econsec", appauthor=False))


def _ring(text: str) -> KeyRing:
    from econsec.storage.sealing import KeyRing

    keys = {}
    for part in text.split(","):
        kid, sep, key = part.strip().partition(":")
        if not sep:
            raise ConfigError("ECONSEC_DATA_KEYS must look like 'k2:BASE64URL,k1:BASE64URL'")
        keys[kid] = key
    return KeyRing(keys, next(iter(keys)))


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    try:
        value = int(env.get(name, default))
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {env[name]!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    try:
        value = float(env.get(name, default))
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {env[name]!r}") from None
    if not value >= 0:
        raise ConfigError(f"{name} must be at least 0, got {value}")
    return value


def _development_secrets(folder: Path) -> dict[str, str]:
    path = folder / "secrets.json"
    if path.exists():
        if path.stat().st_mode & 0o077:
            raise ConfigError(f"{path} must be readable by its owner only (chmod 600)")
        data: dict[str, str] = json.loads(path.read_text("utf-8"))
        return data
    from econsec.storage.sealing import new_key

    folder.mkdir(parents=True, exist_ok=True)
    data = {"secret_key": secrets.token_urlsafe(48), "data_keys": f"dev1:{new_key()}"}
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f)
    os.replace(tmp, path)
    return data


def load_settings(workspace: Path, env: Mapping[str, str] | None = None) -> PlatformSettings:
    """Settings from the environment (``os.environ`` by default) for ``workspace``."""
    from econsec.app.platform import PlatformSettings
    from econsec.sharing.benchmarks import PERIODS
    from econsec.sharing.disclosure import Guard

    env = os.environ if env is None else env
    environment = env.get("ECONSEC_ENV", "development")
    if environment not in ("development", "production"):
        raise ConfigError(f"ECONSEC_ENV must be development or production, got {environment!r}")
    folder = workspace / "platform"
    secret = env.get("ECONSEC_SECRET_KEY")
    keys = env.get("ECONSEC_DATA_KEYS")
    if environment == "production":
        if not secret or secret.lower() in _WELL_KNOWN or len(secret) < 32:
            raise ConfigError(
                "production needs ECONSEC_SECRET_KEY: a random secret of at least 32 characters"
            )
        if not keys:
            raise ConfigError("production needs ECONSEC_DATA_KEYS (see docs/platform.md)")
        _ring(keys)
        if not env.get("ECONSEC_DATABASE_URL"):
            raise ConfigError("production needs ECONSEC_DATABASE_URL (PostgreSQL)")
    else:
        if not secret or not keys:
            generated = _development_secrets(folder)
            secret = secret or generated["secret_key"]
            keys = keys or generated["data_keys"]
    url = env.get("ECONSEC_DATABASE_URL")
    if not url:
        folder.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{folder / 'platform.db'}"
    return PlatformSettings(
        workspace=workspace,
        database_url=url,
        secret_key=secret,
        data_keys=_ring(keys),
        environment=environment,
        max_upload_bytes=_int(env, "ECONSEC_MAX_UPLOAD_BYTES", 5_000_000),
        token_minutes=_int(env, "ECONSEC_TOKEN_MINUTES", 480),
        guard=Guard(
            min_firms=_int(env, "ECONSEC_MIN_FIRMS", 5),
            unanimity_min=_int(env, "ECONSEC_UNANIMITY_MIN", 10),
        ),
        findings_max_age=float(_int(env, "ECONSEC_FINDINGS_MAX_AGE", 5, minimum=0)),
        dp_budget=_number(env, "ECONSEC_DP_BUDGET", 3.0),
        signin_per_minute=_int(env, "ECONSEC_SIGNIN_PER_MINUTE", 60),
        lockout_failures=_int(env, "ECONSEC_LOCKOUT_FAILURES", 5),
        lockout_minutes=_int(env, "ECONSEC_LOCKOUT_MINUTES", 15),
        benchmark_period=_choice(env, "ECONSEC_BENCHMARK_PERIOD", PERIODS, "month"),
    )


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    value = env.get(name, default)
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value
