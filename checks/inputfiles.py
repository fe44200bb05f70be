"""The one loader: every file the tool reads passes through here.

YAML (`Pulumi.yaml`, stack files, waivers, attestations, profiles, risk overrides, SLA files) and
JSON (`pulumi preview --json`, `pulumi stack export`, run documents). Whatever a file holds,
reading it ends in a document of plain data or in one `InputError` naming the file and the
problem (exit 2), never in a traceback:

- size: at most `MAX_JSON_BYTES` (64 MiB; `SAFEGUARD_MAX_JSON_MIB` raises it for a larger
  state export) or `MAX_YAML_BYTES` (4 MiB);
- text: UTF-8, a byte-order mark tolerated (UTF-16 with a BOM too: PowerShell's `>` writes it);
  no unpaired UTF-16 surrogate in a string (it could not be written back out);
- nesting: at most `MAX_DEPTH` lists and mappings deep, measured without recursion;
- JSON: numbers are finite (no NaN, no Infinity, no integer too long to convert);
- YAML: plain data only (no `!!binary`, `!!set`, ..., no integer of more than `MAX_INT_DIGITS`
  digits), no alias to a node that holds it, at most `MAX_YAML_VALUES` values once aliases are
  expanded; files people write for the tool have text keys, and their mappings remember the line
  they start on (`LineDict`).
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import math
import os
import pickle
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from checks.errors import InputError

MIB = 1024 * 1024
MAX_JSON_BYTES = 64 * MIB
MAX_YAML_BYTES = 4 * MIB
MAX_DEPTH = 100
MAX_YAML_VALUES = 1_000_000
MAX_INT_DIGITS = 40
JSON_LIMIT_VARIABLE = "SAFEGUARD_MAX_JSON_MIB"

_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE_PROBLEM = "a string holds an unpaired UTF-16 surrogate, which is not text"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


# -- bytes and text --------------------------------------------------------------------------


def json_limit() -> int:
    """The JSON size limit in bytes: 64 MiB unless `SAFEGUARD_MAX_JSON_MIB` says otherwise."""
    raw = os.environ.get(JSON_LIMIT_VARIABLE, "").strip()
    if not raw:
        return MAX_JSON_BYTES
    if not raw.isdigit() or int(raw) < 1:
        raise InputError(f"{JSON_LIMIT_VARIABLE}={raw!r}: expected a whole number of MiB")
    return int(raw) * MIB


def read_text(path: Path, *, kind: str, limit: int, noun: str = "file") -> str:
    """The text of `path`, read within `limit` bytes and decoded; InputError naming the file."""
    try:
        with path.open("rb") as fh:
            raw = fh.read(limit + 1)
    except FileNotFoundError:
        raise InputError(f"{path}: no such {noun}") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a {kind} file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    if len(raw) > limit:
        raise InputError(f"{path}: larger than {limit // MIB} MiB, the limit for a {kind} file")
    utf16 = raw[:2] in _UTF16_BOMS
    try:
        return raw.decode("utf-16" if utf16 else "utf-8-sig")
    except UnicodeDecodeError as exc:
        encoding = "UTF-16" if utf16 else "UTF-8"
        offset = exc.start + len(raw) - len(exc.object)  # the codec may have dropped a BOM
        raise InputError(
            f"{path}: not {encoding} text (byte 0x{raw[offset]:02x} at offset {offset})"
        ) from None


def kind_of(value: Any) -> str:
    """What a value is, for a message: 'a mapping', 'a list', 'a string', 'a number', ..."""
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return "nothing" if value is None else f"a {type(value).__name__}"


# -- JSON ------------------------------------------------------------------------------------


class _BadNumber(ValueError):
    pass


def _constant(name: str) -> Any:
    raise _BadNumber(f"{name} is not a JSON number")


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _BadNumber(f"the number {text[:40]} is too large")
    return value


def _decoder() -> json.JSONDecoder:
    return json.JSONDecoder(parse_constant=_constant, parse_float=_float)


def load_json(
    path: Path, *, what: str, skip_leading_text: bool = False, noun: str = "file"
) -> tuple[Any, int]:
    """The JSON document in `path` and how many lines of other text preceded it.

    With `skip_leading_text`, reading starts at the first line beginning with '{' (the Pulumi
    CLI sometimes prints other text before its JSON) and text after the document is ignored.
    `what` names what the file should be, for messages ("the output of `pulumi preview`").
    """
    content = read_text(path, kind="JSON", limit=json_limit(), noun=noun)
    skipped = 0
    if skip_leading_text:
        offset = 0
        for line in content.split("\n"):  # lines as JSON counts them, for its line numbers
            if line.startswith("{"):
                break
            offset, skipped = offset + len(line) + 1, skipped + 1
        else:
            raise InputError(f"{path}: no JSON document found (expected {what})")
        content = content[offset:]
    elif not content.strip():
        raise InputError(f"{path}: the file is empty (expected {what})")
    try:
        if skip_leading_text:
            doc, _end = _decoder().raw_decode(content)
        else:
            doc = _decoder().decode(content)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}: not valid JSON: line {exc.lineno + skipped}: {exc.msg} (column {exc.colno})"
        ) from None
    except _BadNumber as exc:
        raise InputError(f"{path}: not valid JSON: {exc}") from None
    except RecursionError:
        raise InputError(f"{path}: nested more than {MAX_DEPTH} levels") from None
    except ValueError:  # an integer longer than Python converts (sys.int_info)
        raise InputError(f"{path}: not valid JSON: a number is too long to read") from None
    if isinstance(doc, (dict, list)):
        # Only an escape (\\ud800) can put a surrogate in a string: look at strings if one may.
        _check_plain(path, doc, strings=_SURROGATE_ESCAPE.search(content) is not None)
    elif isinstance(doc, str) and _SURROGATE.search(doc):
        raise InputError(f"{path}: {_SURROGATE_PROBLEM}")
    return doc, skipped


def _check_plain(path: Path, doc: Any, *, strings: bool) -> None:
    """Nesting within MAX_DEPTH, measured without recursion; with `strings`, every string (key
    or value) writable as UTF-8 too."""
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InputError(f"{path}: nested more than {MAX_DEPTH} levels")
        items = value
        if isinstance(value, dict):
            items = [*value, *value.values()] if strings else value.values()
        for item in items:
            if isinstance(item, (dict, list)):
                stack.append((item, depth + 1))
            elif strings and isinstance(item, str) and _SURROGATE.search(item):
                raise InputError(f"{path}: {_SURROGATE_PROBLEM}")


# -- YAML ------------------------------------------------------------------------------------


class LineDict(dict):
    """A mapping from a YAML file that knows its first line."""

    line: int = 0


class _Refused(Exception):
    def __init__(self, problem: str, mark: Any = None) -> None:
        super().__init__(problem)
        self.problem, self.mark = problem, mark


_NOT_PLAIN_DATA = frozenset(
    f"tag:yaml.org,2002:{tag}" for tag in ("binary", "set", "omap", "pairs")
)


class _Loader(yaml.SafeLoader):
    """SafeLoader for plain data, with the limits above enforced while composing."""

    yaml_constructors = {
        tag: fn
        for tag, fn in yaml.SafeLoader.yaml_constructors.items()
        if tag not in _NOT_PLAIN_DATA
    }
    text_keys = False

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._sizes: dict[int, int] = {}

    def compose_node(self, parent: Any, index: Any) -> Any:
        mark = self.peek_event().start_mark
        alias = self.check_event(yaml.AliasEvent)
        opens = self.check_event(yaml.SequenceStartEvent, yaml.MappingStartEvent)
        if opens:
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise _Refused(f"nested more than {MAX_DEPTH} levels")
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= opens
        if alias:
            if id(node) not in self._sizes:
                raise _Refused("an alias refers to a node that contains it", mark)
        else:
            self._sizes[id(node)] = self._size(node, mark)
        return node

    def _size(self, node: yaml.Node, mark: Any) -> int:
        """How many values `node` stands for once its aliases are expanded."""
        if isinstance(node, yaml.ScalarNode):
            if not node.value.isascii() and _SURROGATE.search(node.value):
                raise _Refused(_SURROGATE_PROBLEM, mark)
            return 1
        children = (
            [n for pair in node.value for n in pair]
            if isinstance(node, yaml.MappingNode)
            else node.value
        )
        size = 1 + sum(self._sizes[id(child)] for child in children)
        if size > MAX_YAML_VALUES:
            raise _Refused(f"aliases expand to more than {MAX_YAML_VALUES:,} values", mark)
        return size

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        # Past what any count, port or number of days needs, and before Python refuses to
        # convert it (sys.int_info.default_max_str_digits).
        if len(node.value) > MAX_INT_DIGITS:
            raise yaml.constructor.ConstructorError(
                None, None, f"a number longer than {MAX_INT_DIGITS} digits", node.start_mark
            )
        return super().construct_yaml_int(node)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        mapping = super().construct_mapping(node, deep=deep)
        if self.text_keys:
            for key in mapping:
                if not isinstance(key, str):
                    raise yaml.constructor.ConstructorError(
                        None, None, f"a key must be text, found {key!r}", node.start_mark
                    )
        return mapping


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _PulumiLoader(_Loader):
    """Pulumi reads its YAML as YAML 1.2 (Go's yaml.v3): a date-like value stays a string."""

    yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != _TIMESTAMP]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    yaml_constructors = {t: fn for t, fn in _Loader.yaml_constructors.items() if t != _TIMESTAMP}


class _LineLoader(_Loader):
    """For files people write for the tool: text keys, and mappings that know their line."""

    text_keys = True


def line_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> LineDict:
    mapping = LineDict(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, line_mapping)

# libyaml's parser where PyYAML has it (about ten times the pure-Python one): for the data files
# the package ships, never for files people bring (those go through the hardened loaders above).
FAST_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _ShippedLineLoader(FAST_SAFE_LOADER):  # type: ignore[misc,valid-type]
    """The fast parser, with mappings that know their line (for a lint message)."""


_ShippedLineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, line_mapping)


def load_shipped_yaml(path: Path, *, lines: bool = False) -> Any:
    """A data file the package ships (trusted, ours), read fast; `lines`: every mapping a
    `LineDict`. Raises OSError or yaml.YAMLError as the read or the parse fails.

    What a parse gives is kept beside the package's compiled modules (`__pycache__`, as
    Python keeps a module's bytecode), named by a digest of the file's bytes: a later run
    reads that instead of parsing the YAML again, which is a tenth of a small scan. An
    install whose folder cannot be written simply parses every time."""
    data = path.read_bytes()
    # The entry depends on the file's bytes and on what parses them (this loader, PyYAML).
    parser = f"{_CACHE_FORMAT} {yaml.__version__}\n".encode()
    digest = hashlib.sha256(parser + data).hexdigest()[:20]
    cache = path.parent / "__pycache__" / f"{path.name}.{'lines' if lines else 'plain'}.{digest}"
    doc = _cached(cache)
    if doc is _NOT_CACHED:
        loader = _ShippedLineLoader if lines else FAST_SAFE_LOADER
        doc = yaml.load(data.decode("utf-8"), Loader=loader)  # noqa: S506
        _keep(cache, doc)
    return doc


_NOT_CACHED = object()
_CACHE_FORMAT = 2  # raise when what a parse gives changes (LineDict, the loaders' constructors)


def _cached(cache: Path) -> Any:
    """The kept parse; _NOT_CACHED when there is none, or when the entry's bytes are not the
    ones written (its first 32 bytes are the SHA-256 of the rest): a damaged entry is parsed
    again and rewritten, never read as other data."""
    try:
        data = cache.read_bytes()
    except FileNotFoundError:
        return _NOT_CACHED  # not parsed yet at this version of the file
    except OSError:
        return _NOT_CACHED  # unreadable: parsed again, and rewritten if the folder allows
    if len(data) < 32 or hashlib.sha256(data[32:]).digest() != data[:32]:
        return _NOT_CACHED  # damaged (a bad copy, an interrupted write)
    try:
        return pickle.loads(data[32:])  # noqa: S301 - written by `_keep`, beside our bytecode
    except (pickle.UnpicklingError, AttributeError, ImportError, EOFError, ValueError):
        return _NOT_CACHED  # written by another version of this package: parsed again


def _keep(cache: Path, doc: Any) -> None:
    """Write the cache entry through a temporary file (a reader never sees half of it). A
    folder that cannot be written (a read-only install) means no cache, not an error."""
    tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
    try:
        cache.parent.mkdir(exist_ok=True)
        body = pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL)
        with tmp.open("wb") as fh:
            fh.write(hashlib.sha256(body).digest() + body)
        os.replace(tmp, cache)
        stem = cache.name.rsplit(".", 1)[0]  # "<file>.<plain|lines>": the file's other versions
        for old in cache.parent.glob(f"{glob.escape(stem)}.*"):
            if old != cache and not old.name.endswith(".tmp"):
                old.unlink(missing_ok=True)
    except OSError:
        with contextlib.suppress(OSError):  # the folder refused the write: nothing is left
            tmp.unlink(missing_ok=True)


def shipped_table(path: Path, error: type[Exception], key: str, kind: type, noun: str) -> Any:
    """A shipped data file whose top level is `version` and one `key` holding a `kind`
    (`noun`: "list", "mapping"): the document, or `error` with one line naming the file."""
    try:
        doc = load_shipped_yaml(path)
    except (OSError, yaml.YAMLError) as exc:
        raise error(f"{path}: {exc}") from None
    if not isinstance(doc, Mapping) or not isinstance(doc.get(key), kind):
        raise error(f"{path}: expected a mapping with a {noun} of {key!r}")
    if unknown := sorted(set(doc) - {"version", key}):
        raise error(f"{path}: unknown top-level fields {unknown}")
    return doc


def _yaml_problem(exc: yaml.YAMLError, text: str) -> str:
    """`line N: problem (context that starts on line M)`, or what there is of it."""
    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, exc.position) + 1
        return f"line {line}: malformed YAML: {str(exc).splitlines()[0]}"
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}: " if mark is not None else ""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context and context_mark is not None and mark is not None and context_mark.line != mark.line:
        problem += f" ({context} that starts on line {context_mark.line + 1})"
    return f"{where}malformed YAML: {problem}"


def load_yaml(path: Path, *, pulumi: bool = False) -> Any:
    """The YAML document at `path`, as plain data.

    `pulumi=True` reads a Pulumi project or stack file as the Pulumi CLI does (dates stay
    strings); otherwise it is a file people write for this tool: every key is text and every
    mapping is a `LineDict` that knows its first line, so a message can say "FILE: line N".
    """
    text = read_text(path, kind="YAML", limit=MAX_YAML_BYTES)
    try:
        loader = (_PulumiLoader if pulumi else _LineLoader)(text)  # checks the characters
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except _Refused as exc:
        where = f"line {exc.mark.line + 1}: " if exc.mark is not None else ""
        raise InputError(f"{path}: {where}{exc.problem}") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: {_yaml_problem(exc, text)}") from None
    except RecursionError:  # within MAX_DEPTH, only when the caller is already deep in its stack
        raise InputError(f"{path}: nested more than {MAX_DEPTH} levels") from None


# -- shapes ----------------------------------------------------------------------------------


def where(path: Path, entry: Any) -> str:
    """`FILE: line N` for a mapping read by `load_yaml`, else `FILE`."""
    line = getattr(entry, "line", 0)
    return f"{path}: line {line}" if line else str(path)


def expect_mapping(path: Path, doc: Any, expected: str = "a mapping") -> Mapping[str, Any]:
    """`doc` when it is a mapping; else InputError("FILE: expected ..., found a list")."""
    if not isinstance(doc, Mapping):
        raise InputError(f"{path}: expected {expected}, found {kind_of(doc)}")
    return doc


def expect_mappings(path: Path, value: Any, key: str, at: Any = None) -> list[Mapping[str, Any]]:
    """`value` (the list under `key`) when it is a list of mappings; none when it is empty."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(i, Mapping) for i in value):
        raise InputError(f"{where(path, at)}: '{key}' must be a list of mappings")
    return value
