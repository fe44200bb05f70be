"""What a value in the inventory is, and the one way a check reads it.

A property value is one of:
- **declared** by the program or **real** (read from AWS or a state file): a plain value;
- **secret** (`Secret`): hidden from every report; it decides a check only when its plaintext
  is known (supplied by the user, or a `--show-secrets` export), and then only through
  `decided`, which records that it was revealed so the finding can be scrubbed of it;
- **unknown** until deployment (`UNKNOWN`): never decides;
- **made up** by the scanner's mocks (`MadeUp`: an invoke result not derived from the program's
  own inputs, an output the mocks invented): never decides.

`decided(value, what)` is the accessor: it returns the value with every secret's plaintext in
place, or raises `Undecidable` naming what could not be seen. While a check runs, every read is
written to the evaluation's `ReadLog`, so the evaluator can scrub revealed plaintexts from what
the check says and never let a check that swallowed an undecidable read pass.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


class _Unknown:
    """A value the source could not know (a preview's computed value, say)."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        raise TypeError("an unknown value has no truth value; check for UNKNOWN first")


UNKNOWN = _Unknown()
_NO_PLAINTEXT = object()


class Undecidable(Exception):
    """Raised by a check (or a join it uses) when the data it needs is missing or unknown.

    The evaluator turns it into a NOT_EVALUATED finding with this message as the reason.
    """


class Secret:
    """A secret value. Reports only ever show "[secret]"; a check sees the plaintext when the
    user supplied it, else cannot decide on it.

    Not a dataclass on purpose: `dataclasses.asdict` and friends must never find the plaintext.
    All secrets compare equal: what is inside is nobody's business but the accessor's.
    """

    __slots__ = ("_plaintext",)

    def __init__(self, plaintext: Any = _NO_PLAINTEXT) -> None:
        object.__setattr__(self, "_plaintext", plaintext)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a Secret cannot be changed")

    @property
    def revealable(self) -> bool:
        return self._plaintext is not _NO_PLAINTEXT

    @property
    def plaintext(self) -> Any:
        return self._plaintext

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret)

    def __hash__(self) -> int:
        return hash(Secret)

    def __repr__(self) -> str:
        return "[secret]"

    __str__ = __repr__

    def __reduce__(self) -> tuple[Any, ...]:
        return (Secret, ())  # pickling or deep-copying never carries the plaintext out


SECRET = Secret()  # a secret whose plaintext nobody gave the scanner


@dataclass(frozen=True)
class MadeUp:
    """A value the scanner's mocks made up, kept only to show where a program used one."""

    value: Any = field(repr=False, compare=False)

    def __repr__(self) -> str:
        return "(made up by the scanner's mocks)"


@dataclass(frozen=True)
class Unread:
    """A setting of a live resource that could not be read (the reason says why): as unknown
    as a value computed at deployment, for a check of it alone."""

    reason: str

    def __repr__(self) -> str:
        return UNREAD_TEXT


UNREAD_TEXT = "(could not be read)"
MADE_UP_TEXT = "(made up by the scanner's mocks)"
UNKNOWN_TEXT = "(unknown until deployed)"
SECRET_TEXT = "[secret]"

# Names that say their value is a secret: provider properties (`password`, `secretString`),
# environment variables (`DB_PASSWORD`), keys of a check's evidence.
SECRET_NAME = re.compile(
    r"passw(or)?d|passwd|pwd|secret|token|api_?key|private_?key|access_?key|credential", re.I
)


def sounds_secret(name: str) -> bool:
    """Whether a name says its value is a secret."""
    return bool(SECRET_NAME.search(name))


# Parts of provider property names that hold a credential. Narrower than SECRET_NAME on
# purpose: a source withholds these values outright, and `http_tokens` or `secret_arn` are
# configuration a check must see.
SECRET_PROPERTY_PARTS = (
    "password",
    "secret_string",
    "secret_binary",
    "private_key",
    "auth_token",
    "secret_access_key",
    "client_secret",
)


def is_secret_property(name: str) -> bool:
    """Whether a provider property (by its name as the source gives it) holds a credential."""
    return any(part in name for part in SECRET_PROPERTY_PARTS)


def is_unknown(value: Any) -> bool:
    return value is UNKNOWN or isinstance(value, Unread)


_SCALARS = (str, int, float, bool, type(None))


def plain(value: Any) -> Any:
    """A model value as plain JSON data: secrets stay hidden, unknowns and made-up values say
    what they are."""
    if isinstance(value, Secret):
        return SECRET_TEXT
    if value is UNKNOWN:
        return UNKNOWN_TEXT
    if isinstance(value, MadeUp):
        return MADE_UP_TEXT
    if isinstance(value, Unread):
        return UNREAD_TEXT
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def contains_unknown(value: Any) -> bool:
    """True when the value or anything nested in it is unknown (or could not be read)."""
    if value is UNKNOWN or isinstance(value, Unread):
        return True
    if type(value) in _SCALARS:  # the common case, without an ABC instance check
        return False
    if isinstance(value, Mapping):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(contains_unknown(v) for v in value)
    return False


def is_special(value: Any) -> bool:
    """True when the value or anything nested in it is unknown, secret or made up."""
    if type(value) in _SCALARS:
        return False
    if value is UNKNOWN or isinstance(value, (Secret, MadeUp, Unread)):
        return True
    if isinstance(value, Mapping):
        return any(is_special(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(is_special(v) for v in value)
    return False


# -- the read log of one check run ------------------------------------------------------------


@dataclass
class ReadLog:
    """What one check run read: revealed plaintexts, undecidable reads, and (for tests) the
    properties it looked at."""

    revealed: list[Any] = field(default_factory=list)
    undecidable: list[str] = field(default_factory=list)
    reads: list[tuple[str, str, bool]] = field(default_factory=list)  # (address, key, presence)


_LOG: contextvars.ContextVar[ReadLog | None] = contextvars.ContextVar("read_log", default=None)


def start_log() -> tuple[ReadLog, contextvars.Token]:
    log = ReadLog()
    return log, _LOG.set(log)


def stop_log(token: contextvars.Token) -> None:
    _LOG.reset(token)


def note_read(address: str, key: str, presence: bool = False) -> None:
    """Note a read of a property (`presence`: only whether it is set was asked)."""
    log = _LOG.get()
    if log is not None:
        log.reads.append((address, key, presence))


def undecidable(why: str) -> Undecidable:
    """The exception for a value that cannot decide, noted in the running check's log."""
    log = _LOG.get()
    if log is not None:
        log.undecidable.append(why)
    return Undecidable(why)


def decided(value: Any, what: str) -> Any:
    """`value` with every secret's plaintext in place; Undecidable when any part of it is
    unknown, made up, or a secret without a known plaintext."""
    if not is_special(value):
        return value
    return _resolve(value, what)


def _resolve(value: Any, what: str) -> Any:
    if value is UNKNOWN:
        raise undecidable(f"{what} is not known yet (computed at deployment)")
    if isinstance(value, Unread):
        raise undecidable(f"{what} could not be read: {value.reason}")
    if isinstance(value, MadeUp):
        raise undecidable(
            f"{what} comes from a value the scanner's mocks made up (a data source or a "
            "computed output), so the program's real value cannot be seen"
        )
    if isinstance(value, Secret):
        if not value.revealable:
            raise undecidable(f"{what} is a secret, so its content cannot be inspected")
        log = _LOG.get()
        if log is not None:
            log.revealed.append(value.plaintext)
        return value.plaintext
    if isinstance(value, Mapping):
        return {k: _resolve(v, what) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_resolve(v, what) for v in value]
    return value


# -- scrubbing what was revealed ---------------------------------------------------------------

_SHORT = 4  # plaintexts shorter than this are replaced only as whole words


def secret_texts(values: Iterable[Any]) -> list[str]:
    """The strings that would show a secret. A scalar secret is hidden whole (a short one as a
    word of its own); inside a secret list or map only strings of four characters or more are,
    since Pulumi marks a whole input secret when any part of it is (a secret CIDR makes a
    security group's whole `ingress` secret, its "tcp" and port numbers included)."""
    found: set[str] = set()

    def walk(value: Any, nested: bool) -> None:
        if isinstance(value, Secret):
            if value.revealable:
                walk(value.plaintext, nested)
        elif isinstance(value, Mapping):
            for v in value.values():
                walk(v, True)
        elif isinstance(value, (list, tuple, set, frozenset)):
            for v in value:
                walk(v, True)
        elif isinstance(value, bool) or value is None:
            return  # true/false/null are not worth hiding, and would wreck every record
        elif isinstance(value, str) and value.strip() and (not nested or len(value) >= _SHORT):
            found.add(value)
        elif isinstance(value, (int, float)) and not nested:
            found.add(str(value))

    for value in values:
        walk(value, False)
    return sorted(found, key=lambda t: (-len(t), t))


def _pattern(texts: list[str]) -> re.Pattern[str] | None:
    if not texts:
        return None
    parts = [
        re.escape(t) if len(t) >= _SHORT else rf"(?<![\w.]){re.escape(t)}(?![\w])" for t in texts
    ]
    return re.compile("|".join(parts))


class Scrubber:
    """Replaces every occurrence of the given secret texts in a value, however deep."""

    def __init__(self, texts: list[str]) -> None:
        self.texts = frozenset(texts)
        self._pattern = _pattern(texts)

    def __bool__(self) -> bool:
        return self._pattern is not None

    def text(self, value: str) -> str:
        if self._pattern is None:
            return value
        return self._pattern.sub(SECRET_TEXT, value)

    def value(self, value: Any, *, scalars: bool = True) -> Any:
        """`value` with secret texts replaced in its strings (and, with `scalars`, numbers that
        equal a secret replaced by the placeholder)."""
        if self._pattern is None:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {k: self.value(v, scalars=scalars) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.value(v, scalars=scalars) for v in value]
        is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if scalars and is_number and str(value) in self.texts:
            return SECRET_TEXT
        return value
