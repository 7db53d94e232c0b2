"""The account that logs in to the web UI (bcrypt password hashes)."""

from __future__ import annotations

from sqlmodel import select

from ledger.core.service import Service, get_row
from ledger.core.validation import refuse_nul
from ledger.errors import Conflict, InvalidInput
from ledger.storage import tables

BCRYPT_ROUNDS = 12
MIN_PASSWORD = 8
MAX_PASSWORD_BYTES = 72  # bcrypt ignores anything past 72 bytes; refuse instead


def check_password(password: str) -> bytes:
    """The password as bytes, or a clear error when bcrypt cannot take it."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInput("password", f"use at least {MIN_PASSWORD} characters")
    encoded = password.encode()
    if len(encoded) > MAX_PASSWORD_BYTES:
        raise InvalidInput("password", f"use at most {MAX_PASSWORD_BYTES} bytes")
    return encoded


def _hash(password: bytes) -> str:
    """A bcrypt hash of `password` at the current cost."""
    import bcrypt  # bcrypt loads only when a password is set or checked

    return bcrypt.hashpw(password, bcrypt.gensalt(BCRYPT_ROUNDS)).decode()


def _matches(password: bytes, stored: bytes) -> bool:
    """Whether `password` is the one `stored` (a bcrypt hash) was made from."""
    import bcrypt  # bcrypt loads only when a password is set or checked

    return bool(bcrypt.checkpw(password, stored))


_STAND_IN: dict[int, bytes] = {}


def _stand_in_hash() -> bytes:
    """A hash at the current cost that no password matches (made once per cost)."""
    if BCRYPT_ROUNDS not in _STAND_IN:
        _STAND_IN[BCRYPT_ROUNDS] = _hash(b"\x00stand-in").encode()
    return _STAND_IN[BCRYPT_ROUNDS]


class Users(Service):
    """``lg.users``: create the account and check passwords."""

    counted = (tables.User, "user", "users")

    def create(self, username: str, password: str) -> int:
        """Create a user; return its id."""
        refuse_nul({"username": username, "password": password})
        name = username.strip()
        if not name or len(name) > 80:
            raise InvalidInput("username", "use 1 to 80 characters")
        hashed = _hash(check_password(password))
        with self._lg.atomic() as uow:
            existing = uow.session.exec(
                select(tables.User).where(tables.User.username == name)
            ).first()
            if existing is not None:
                raise Conflict(f"user {name!r} already exists")
            row = tables.User(username=name, password_hash=hashed)
            uow.session.add(row)
            uow.session.flush()
            assert row.id is not None
            return row.id

    def authenticate(self, username: str, password: str) -> int | None:
        """The user's id when the password is right, else None."""
        encoded = password.encode()
        with self._lg.reading() as session:
            row = session.exec(
                select(tables.User).where(tables.User.username == username.strip())
            ).first()
        if len(encoded) > MAX_PASSWORD_BYTES:
            return None
        # An unknown name costs one bcrypt check too, so timing does not tell
        # whether an account exists.
        stored = row.password_hash.encode() if row is not None else _stand_in_hash()
        right = _matches(encoded, stored)
        return row.id if row is not None and right else None

    def change_password(self, user_id: int, current: str, new: str) -> None:
        """Replace a user's password once `current` proves it is theirs.

        Raises `InvalidInput` naming ``current_password`` (wrong) and/or
        ``new_password`` (too short, or too long for bcrypt); nothing is written
        then. The change is audited, with the hash redacted in the audit trail.
        """
        errors: dict[str, str] = {}
        try:
            encoded = check_password(new)
        except InvalidInput as exc:
            errors["new_password"] = exc.message
        with self._lg.reading() as session:
            stored = get_row(session, tables.User, user_id, "user").password_hash.encode()
        given = current.encode()
        if len(given) > MAX_PASSWORD_BYTES or not _matches(given, stored):
            errors["current_password"] = "the current password is not right"  # noqa: S105
        if errors:
            field, message = next(iter(errors.items()))
            raise InvalidInput(field, message, errors)
        hashed = _hash(encoded)
        with self._lg.atomic() as uow:
            row = get_row(uow.session, tables.User, user_id, "user")
            row.password_hash = hashed
            uow.session.flush()

    def count(self) -> int:
        """How many accounts exist (the web UI offers set-up when none)."""
        with self._lg.reading() as session:
            return len(session.exec(select(tables.User.id)).all())
