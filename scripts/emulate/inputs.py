"""A resource's inputs as a creator sees them, remembering which of them it used.

Inputs arrive in the Python SDK's snake_case names with real types (`object_to_python`), secrets
already unwrapped and references resolved to ids. Every value a creator reads is recorded, so a
declared input no creator mapped is reported (per resource) instead of silently dropped. A leaf
is a scalar or an empty object (`allow: {}` is a choice, not nothing); paths name list items
with `[]`: `rules[].filter.prefix`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

Path = tuple[str, ...]
ITEM = "[]"


def dotted(path: Path) -> str:
    return ".".join(path).replace(".[]", "[]")


class Usage:
    """What a creator read of one resource's inputs, and what it could not apply."""

    def __init__(self) -> None:
        self.read: set[Path] = set()
        self.whole: set[Path] = set()  # read as a whole (a policy document, a tag map)
        self.unapplied: dict[Path, str] = {}

    def seen(self, leaf: Path) -> bool:
        return leaf in self.read or any(leaf[:i] in self.whole for i in range(len(leaf) + 1))


def leaves(value: Any, path: Path = ()) -> Iterator[Path]:
    """The paths of every declared leaf (None and empty lists declare nothing)."""
    if isinstance(value, Mapping):
        if not value and path:
            yield path
        for key, item in value.items():
            yield from leaves(item, (*path, str(key)))
    elif isinstance(value, list):
        for item in value:
            yield from leaves(item, (*path, ITEM))
    elif value is not None:
        yield path


def unmapped(data: Mapping[str, Any], usage: Usage) -> dict[str, str]:
    """Declared leaves the creator neither read nor explained, and those it could not apply."""
    found = {dotted(p): why for p, why in usage.unapplied.items()}
    for leaf in dict.fromkeys(leaves(data)):
        if not usage.seen(leaf) and not any(leaf[: len(p)] == p for p in usage.unapplied):
            found[dotted(leaf)] = "no creator maps it"
    return dict(sorted(found.items()))


def _wrap(value: Any, path: Path, usage: Usage) -> Any:
    if isinstance(value, Mapping):
        if not value:
            usage.read.add(path)
        return Inputs(value, usage, path)
    if isinstance(value, list):
        return Items(value, usage, path)
    usage.read.add(path)
    return value


class Inputs(Mapping[str, Any]):
    """Read-only inputs of a resource (or of a nested object) that record what is read."""

    def __init__(self, data: Mapping[str, Any], usage: Usage | None = None, path: Path = ()):
        self._data = data
        self.usage = usage if usage is not None else Usage()
        self._path = path

    def __getitem__(self, key: str) -> Any:
        return _wrap(self._data[key], (*self._path, key), self.usage)

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._data.get(key) is not None

    def get(self, key: str, default: Any = None) -> Any:
        value = self._data.get(key)
        return default if value is None else self[key]

    def require(self, key: str) -> Any:
        """An input AWS cannot do without: its absence is the creator's loud failure."""
        if self._data.get(key) is None:
            raise KeyError(f"required input {dotted((*self._path, key))!r} is not set")
        return self[key]

    def plain(self, key: str | None = None, default: Any = None) -> Any:
        """A value (or these whole inputs) as plain data, every leaf under it counted as read."""
        if key is None:
            self.usage.whole.add(self._path)
            return dict(self._data)
        value = self._data.get(key)
        if value is None:
            return default
        self.usage.whole.add((*self._path, key))
        return value

    def provider_only(self, *keys: str) -> None:
        """Inputs that steer only the provider's own behaviour (what happens on delete, say):
        nothing in AWS to set, so they count as handled."""
        for key in keys:
            self.usage.whole.add((*self._path, key))

    def unapplied(self, key: str, reason: str) -> None:
        """An input the emulator cannot take: reported with the reason when it is declared."""
        if self._data.get(key) is not None:
            self.usage.unapplied[(*self._path, key)] = reason


class Items(Sequence[Any]):
    """A list input whose items record what is read of them."""

    def __init__(self, data: list[Any], usage: Usage, path: Path) -> None:
        self._data = data
        self._usage = usage
        self._path = path

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [_wrap(v, (*self._path, ITEM), self._usage) for v in self._data[index]]
        return _wrap(self._data[index], (*self._path, ITEM), self._usage)

    def __len__(self) -> int:
        return len(self._data)

    def plain(self) -> list[Any]:
        self._usage.whole.add(self._path)
        return list(self._data)
