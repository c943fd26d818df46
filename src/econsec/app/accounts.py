"""Accounts: signing in and out, who the caller is, the language setting, and the platform
administrator's bootstrap commands (organisations, users, clearances, key rotation), each audited.

Tokens are opaque bearer tokens, stored hashed and checked against the store on every request, so
revoking a user or a clearance acts at once. The same token is the web's session cookie.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from dataclasses import dataclass

from econsec.access.policy import ROLE_KINDS, ROLES, Clearance
from econsec.app.platform import Caller, Platform, token_hash
from econsec.errors import InputError, NotSignedIn, TooManyRequests
from econsec.i18n import N_
from econsec.storage import platform as store

__all__ = [
    "ADMIN",
    "LEVELS",
    "ClearanceView",
    "Organisation",
    "Profile",
    "check_password_policy",
    "clearance",
    "create_org",
    "create_user",
    "deactivate_user",
    "password_caller",
    "profile",
    "reset_password",
    "rotate_keys",
    "set_clearance",
    "set_locale",
    "sign_in",
    "sign_out",
]

ADMIN = "admin-cli"  # the actor of the administrator's commands in the audit log
LEVELS = ("none", "confidential", "top_secret")
_WRONG = "unknown user or wrong password"
_DUMMY: dict[str, str] = {}


@dataclass(frozen=True, slots=True)
class Organisation:
    name: str
    kind: str
    sector: str | None


@dataclass(frozen=True, slots=True)
class ClearanceView:
    level: str
    compartments: tuple[str, ...]
    valid_until: str | None
    designated_by: str
    revoked: bool


@dataclass(frozen=True, slots=True)
class Profile:
    """Who the caller is: user, role, organisation, clearance, whether the organisation
    contributes data, and the language setting."""

    username: str
    role: str
    organisation: Organisation
    clearance: ClearanceView
    contributing: bool
    locale: str


def _verified(p: Platform, username: str, password: str, client: str) -> store.Account:
    """The account of valid credentials, else :class:`NotSignedIn` (audited);
    :class:`TooManyRequests` when the client address or the account is over its limit."""
    try:
        p.throttle.admit(client, username[:100])
    except TooManyRequests as exc:
        p.audit(username[:100], "sign_in", "session", False, str(exc))
        raise
    with p.read() as conn:
        found = store.user_by_name(conn, username) if username and password else None
    if found is None:
        # Spend the same time as a real check, so timing does not tell which names exist: one
        # verification against a dummy hash, made once per hashing profile.
        if p.settings.password_profile not in _DUMMY:
            _DUMMY[p.settings.password_profile] = p.hash_password(secrets.token_urlsafe(16))
        p.check_password(_DUMMY[p.settings.password_profile], password)
        p.throttle.failed(username[:100])
        p.audit(username[:100], "sign_in", "session", False, _WRONG)
        raise NotSignedIn(_WRONG)
    account, stored = found
    if not p.check_password(stored, password):
        p.throttle.failed(username)
        p.audit(username, "sign_in", "session", False, _WRONG)
        raise NotSignedIn(_WRONG)
    return account


def sign_in(p: Platform, username: str, password: str, client: str = "") -> str:
    """A new session token for valid credentials, else :class:`NotSignedIn` (both audited);
    :class:`TooManyRequests` when the client address is over its limit or the account is
    locked after repeated failures (see :mod:`econsec.app.throttle`)."""
    account = _verified(p, username, password, client)
    token = secrets.token_urlsafe(32)
    with p.write() as conn:
        store.create_session(conn, account.user_id, token_hash(token), p.settings.token_minutes)
        store.append_audit(conn, p.ring, username, "sign_in", "session", True, "password verified")
    return token


def password_caller(p: Platform, username: str, password: str, client: str = "") -> Caller:
    """The caller of one request signed with a user name and password (HTTP Basic, as TAXII 2.1
    clients do): the same checks, limits and audit as :func:`sign_in`, and no session."""
    account = _verified(p, username, password, client)
    p.audit(username, "sign_in", "request", True, "password verified (HTTP Basic)")
    return Caller(account, p.subject(account), "")


def sign_out(p: Platform, caller: Caller, how: str = "signed out") -> None:
    """End the caller's session: its token stops working."""
    with p.write() as conn:
        store.delete_session(conn, caller.token_hash)
        store.append_audit(conn, p.ring, caller.account.username, "sign_out", "session", True, how)


def profile(caller: Caller) -> Profile:
    """Who the caller is (their own account: no decision needed)."""
    a, c = caller.account, caller.account.clearance
    return Profile(
        username=a.username,
        role=a.role,
        organisation=Organisation(a.org_name, a.org_kind, a.sector),
        clearance=ClearanceView(
            c.level,
            tuple(sorted(c.compartments)),
            c.valid_until.isoformat() if c.valid_until else None,
            c.designated_by,
            c.revoked,
        ),
        contributing=caller.subject.contributing,
        locale=a.locale,
    )


def set_locale(p: Platform, caller: Caller, locale: str) -> None:
    """The caller's language (``auto``: the browser's preference)."""
    with p.write() as conn:
        store.set_locale(conn, caller.account.user_id, locale)


def clearance(
    level: str, compartments: tuple[str, ...], valid_until: str | None, designated_by: str
) -> Clearance:
    """A clearance from the administrator's options, checked."""
    if level not in LEVELS:
        raise InputError(
            "unknown clearance {level!r}", values={"level": level}, expected=", ".join(LEVELS)
        )
    try:
        until = dt.date.fromisoformat(valid_until) if valid_until else None
    except ValueError:
        raise InputError(
            "bad --valid-until {valid_until!r}",
            values={"valid_until": valid_until},
            expected=N_("YYYY-MM-DD"),
        ) from None
    if level != "none" and until is None:
        raise InputError("a clearance needs --valid-until", expected=N_("YYYY-MM-DD"))
    return Clearance(level, frozenset(compartments), until, designated_by)


def create_org(p: Platform, name: str, kind: str, sector: str | None, size: str | None) -> str:
    """Create an organisation (administrator's bootstrap); its id. An operator's sector is one
    of the specified infrastructure sectors."""
    from econsec.infrastructure.review import SECTORS

    if kind == "operator" and sector not in SECTORS:
        raise InputError("an operator's sector: {sector!r}", values={"sector": sector},
                         expected=", ".join(SECTORS))  # fmt: skip
    with p.write() as conn:
        org_id = store.create_org(conn, name, kind, sector, size)
        store.append_audit(conn, p.ring, ADMIN, "create_org", f"org/{name}", True, "bootstrap")
    return org_id


def check_password_policy(password: str, username: str = "") -> None:
    """Refuse a weak password: fewer than 12 characters, or guessable (zxcvbn score below 3:
    common passwords, keyboard walks, dates, the user's own name).

    Parameters
    ----------
    password : str
        The candidate.
    username : str
        The user's name (a password built on it is guessable).

    Raises
    ------
    InputError
        Saying why.

    Examples
    --------
    >>> check_password_policy("correct horse battery staple")
    >>> check_password_policy("password1234")
    Traceback (most recent call last):
    econsec.errors.InputError: the password is too easy to guess (expected a longer phrase of \
unrelated words, without names, dates or keyboard patterns)
    """
    from zxcvbn import zxcvbn

    if len(password) < 12:
        raise InputError("the password must have at least 12 characters")
    if zxcvbn(password[:100], user_inputs=[username] if username else [])["score"] < 3:
        raise InputError("the password is too easy to guess", expected=N_("a longer phrase of "
                         "unrelated words, without names, dates or keyboard patterns"))  # fmt: skip


def create_user(
    p: Platform, username: str, org: str, role: str, password: str, granted: Clearance
) -> str:
    """Create a user of organisation ``org`` (administrator's bootstrap); its id."""
    if role not in ROLES:
        raise InputError(
            "unknown role {role!r}",
            values={"role": role, "roles": ", ".join(ROLES)},
            expected=N_("one of {roles}"),
        )
    check_password_policy(password, username)
    with p.write() as conn:
        kind = store.org_kind(conn, org)
        if kind is not None and kind != ROLE_KINDS[role]:
            raise InputError(
                "{org!r} is a {kind} organisation; the role {role} is held in {v1} organisations only",
                values={"org": org, "kind": kind, "role": role, "v1": ROLE_KINDS[role]},
            )
        user_id = store.create_user(conn, username, org, role, p.hash_password(password), granted)
        store.append_audit(conn, p.ring, ADMIN, "create_user", f"user/{username}", True, role)
    return user_id


def reset_password(p: Platform, username: str, password: str) -> None:
    """Give a user a new password (checked by the policy, with a new salt); the user's
    sessions end at once."""
    check_password_policy(password, username)
    with p.write() as conn:
        store.set_password(conn, username, p.hash_password(password))
        store.append_audit(
            conn, p.ring, ADMIN, "reset_password", f"user/{username}", True, "by admin"
        )


def deactivate_user(p: Platform, username: str) -> None:
    """Deactivate a user: sign-in and every session stop at once; the account stays for audit."""
    with p.write() as conn:
        store.deactivate_user(conn, username)
        store.append_audit(
            conn, p.ring, ADMIN, "deactivate_user", f"user/{username}", True, "by admin"
        )


def set_clearance(p: Platform, username: str, granted: Clearance, revoke: bool = False) -> None:
    """Grant, change or revoke a user's clearance (effective at the user's next request)."""
    with p.write() as conn:
        store.set_clearance(conn, username, dataclasses.replace(granted, revoked=revoke))
        store.append_audit(conn, p.ring, ADMIN, "set_clearance", f"user/{username}", True,
                           "revoked" if revoke else granted.level)  # fmt: skip


def rotate_keys(p: Platform) -> tuple[int, int]:
    """Re-encrypt every sealed value with the current data key, and seal the audit chain with
    it again (after checking it); the numbers of values and of audit entries changed."""
    with p.write() as conn:
        changed = store.reseal(conn, p.ring)
        entries = store.reseal_audit(conn, p.ring)
        store.append_audit(conn, p.ring, ADMIN, "rotate_keys", "data", True,
                           f"{changed} values, {entries} audit entries")  # fmt: skip
    return changed, entries
