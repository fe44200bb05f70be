"""Suggested fixes: for a failing finding whose fix is an input of a declared resource, the code
change at the lines that declare it.

The check library knows which inputs answer which check (`checks.fixes`); the program source says
where each resource is declared (`Resource.position`); `policies.source_edit` turns the two into
text replacements that keep the author's layout. The fix of a check judged on a resource may be
on that resource or on the ones split off it: a bucket's public-access finding is fixed on its
`BucketAcl` or `BucketPublicAccessBlock`, its versioning on its `BucketVersioning`. A finding
gets a fix when the library knows an input-level fix for its check on any of those:

- `ready`: per resource to change (a target), the replacements for this finding alone (SARIF
  `fixes`) and the whole lines they touch as they would read after it (a GitHub suggestion);
- `manual`: why no edit is offered (the value is computed elsewhere, the declaration is in a
  library, the inputs already hold the fix and the check needs another resource).

`combined` merges every chosen finding's changes per declaration, so `safeguard fix` writes one
coherent edit per file. Files outside the program folder are never read or edited.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from checks.evaluate import Evaluation, Finding, evaluate
from checks.fixes import InputChange, input_fix
from checks.model import Inventory, Resource, plain
from checks.registry import Registry, Status
from checks.text import safe_text
from checks.values import Scrubber
from policies import source_edit
from policies.redaction import scrubber
from policies.source_edit import NotEditable, Replacement, changed_lines, edit_call

# ready: the edit makes the check pass; partial: the edit is right but the check also needs
# something no input gives (another resource); manual: no edit is offered, and why.
READY, PARTIAL, MANUAL = "ready", "partial", "manual"
BOM = "\ufeff"
NEEDS_MORE = (
    "the inputs this fix sets already hold the secure values: the check fails on something an "
    "input cannot fix (see the remediation)"
)

SECRET_LINES = (
    "the declaring lines hold a secret value, so they are not shown: `safeguard fix --apply` "
    "makes the change"
)
UNSHOWABLE_LINES = (
    "the declaring lines hold characters a report cannot show as they are (control characters "
    "or line separators), so they are not shown: `safeguard fix --apply` makes the change"
)


@dataclass(frozen=True)
class Target:
    """One resource to change, and how."""

    name: str
    type: str
    changes: tuple[InputChange, ...]
    file: str | None = None  # the declaring file as the record names it
    line: int | None = None
    replacements: tuple[Replacement, ...] = ()
    # (first line, last line, the new text of those whole lines): a GitHub suggestion block.
    suggestion: tuple[int, int, str] | None = None
    # Why no suggestion is shown although the edit is ready (the lines hold a secret).
    withheld: str | None = None
    address: str = ""  # the resource's inventory address (not in the record)

    def as_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "resource": self.name,
            "type": self.type,
            "file": self.file,
            "line": self.line,
            "changes": [
                {
                    "input": path_label(c.path),
                    "from": plain(c.before),
                    "to": plain(c.value),
                    "reason": c.reason,
                }
                for c in self.changes
            ],
            "replacements": [
                {
                    "start_line": r.start_line,
                    "start_column": r.start_column,
                    "end_line": r.end_line,
                    "end_column": r.end_column,
                    "text": r.text,
                }
                for r in self.replacements
            ],
        }
        if self.suggestion:
            first, last, text = self.suggestion
            record["suggestion"] = {"start_line": first, "end_line": last, "text": text}
        if self.withheld:
            record["suggestion_withheld"] = self.withheld
        return record


@dataclass(frozen=True)
class SuggestedFix:
    finding_id: str
    check_id: str
    targets: tuple[Target, ...] = ()
    manual: str | None = None
    # With every ready fix made in memory the check still fails, and says this.
    still_fails: str | None = None

    @property
    def status(self) -> str:
        if self.manual:
            return MANUAL
        return PARTIAL if self.still_fails else READY

    def as_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "status": self.status,
            "targets": [t.as_record() for t in self.targets],
        }
        if self.manual:
            record["why"] = self.manual
        if self.still_fails:
            record["still_fails"] = self.still_fails
        return record


def path_label(path: Sequence[str | int]) -> str:
    """`("ebs_block_devices", 1, "encrypted")` -> `ebs_block_devices[1].encrypted`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def class_name(type_token: str) -> str:
    """`aws:rds/instance:Instance` -> `Instance`, the constructor a program calls."""
    return type_token.rsplit(":", 1)[-1]


class ProgramFiles:
    """The program's files, read once, and only inside the program folder."""

    def __init__(self, home: Path, cwd: Path | None = None) -> None:
        self.home = home.resolve()
        try:
            self.cwd = (cwd or Path.cwd()).resolve()
        except FileNotFoundError:  # the working folder was removed: names are the program's
            self.cwd = self.home
        self._texts: dict[Path, str | None] = {}
        self.bom: set[Path] = set()  # files that start with a byte-order mark

    def locate(self, named: str) -> Path | None:
        """The file a finding names: relative to where the scan ran when the program is inside
        that folder, else to the program (as `checks.sources.program` records it). Never a file
        outside the program folder."""
        base = self.cwd if self.home.is_relative_to(self.cwd) else self.home
        path = (base / named).resolve()
        return path if path.is_file() and path.is_relative_to(self.home) else None

    def text(self, path: Path) -> str | None:
        """The file's text with its own line ends (CRLF stays CRLF), without a leading byte-order
        mark (Python ignores it; `bom` says whether to write it back)."""
        if path not in self._texts:
            try:
                with path.open(encoding="utf-8", newline="") as handle:
                    text = handle.read()
            except (OSError, UnicodeDecodeError):
                text = None
            if text is not None and text.startswith(BOM):
                self.bom.add(path)
                text = text[len(BOM) :]
            self._texts[path] = text
        return self._texts[path]

    def source(self, res: Resource) -> tuple[str, int, Path, str]:
        """(file as named, line, path, text) of where `res` is declared; NotEditable if none."""
        position = res.position or {}
        named, line = position.get("file"), position.get("line")
        if not isinstance(named, str) or not isinstance(line, int) or isinstance(line, bool):
            raise NotEditable(
                f"the program does not say where {res.name} is declared (in a library's component?)"
            )
        path = self.locate(named)
        if path is None:
            raise NotEditable(f"{named} is not a readable file inside the program folder")
        text = self.text(path)
        if text is None:
            raise NotEditable(f"{named} cannot be read as UTF-8 text")
        return named, line, path, text


def parse_ahead(home: Path, *, most: int = 8, largest: int = 4 << 20) -> None:
    """Parse the program's own Python files before any fix is asked for: started beside the
    program's run under mocks, on the core the scanner otherwise leaves idle, it takes the parse
    of a large program (a third of a second for 3,600 resources) off the run's path. The
    largest files first, in the program folder and one level down; a file that cannot be read
    or parsed is left for `suggest_all`, which says why where it matters."""
    skipped = {"node_modules", "venv", "__pycache__"}
    sizes = {}
    for path in (*home.glob("*.py"), *home.glob("*/*.py")):
        if any(part.startswith(".") or part in skipped for part in path.relative_to(home).parts):
            continue
        try:
            if path.is_file():  # a regular file (a pipe named x.py would block the read)
                sizes[path] = path.stat().st_size
        except OSError:
            continue  # gone, or a link to nowhere: nothing to parse
    files = ProgramFiles(home)
    for path in sorted(sizes, key=lambda p: (-sizes[p], p))[:most]:
        text = files.text(path) if sizes[path] <= largest else None
        if text is not None:
            try:
                source_edit.parse_ahead(text)
            except (ValueError, RecursionError, MemoryError):
                continue  # the same parse fails again where a fix needs it, and is said there


def _wanted(
    finding: Finding, inventory: Inventory
) -> list[tuple[Resource, list[InputChange]]] | None:
    """Each resource the fix may change with what it needs; None when no fix is known."""
    res = finding.resource
    known = False
    wanted = []
    for candidate in [res, *inventory.split_from(res)]:
        changes = input_fix(finding.check.id, candidate.type, candidate.props)
        if changes is None:
            continue
        known = True
        if changes:
            wanted.append((candidate, changes))
    return wanted if known else None


@dataclass(frozen=True)
class _Run:
    """What every finding's fix is judged against."""

    inventory: Inventory
    files: ProgramFiles
    scrub: Scrubber
    # Each check's finding status per resource address, and the resources each declaring
    # (file, line, type) makes: a line in a loop or a helper makes several.
    statuses: Mapping[tuple[str, str], Status]
    declared: Mapping[tuple[str, int, str], tuple[Resource, ...]]

    def said(self, text: str) -> str:
        """A message safe to keep: secret texts scrubbed before anything shortens them."""
        return safe_text(self.scrub.text(text) if self.scrub else text, one_line=True)


def _others(run: _Run, check_id: str, res: Resource, changes: list[InputChange]) -> str | None:
    """Why the edit cannot be made when the declaring line also makes other resources: each of
    them must fail the same check with the same fix, or the edit changes what it must not."""
    at = res.position or {}
    siblings = run.declared.get((at.get("file"), at.get("line"), res.type), (res,))
    wanted = [(c.path, c.value) for c in changes]
    for other in siblings:
        if other.address == res.address:
            continue
        status = run.statuses.get((check_id, other.address))
        theirs = input_fix(check_id, other.type, other.props) if status is Status.FAIL else None
        if theirs is None or [(c.path, c.value) for c in theirs] != wanted:
            shown = status.value if status else "not judged by this check"
            return (
                f"the line that declares {res.name} also makes {other.name} ({shown}), which "
                "this edit would change too: change the declaration by hand"
            )
    return None


def _suggestion(run: _Run, text: str, edits: list[Replacement]) -> tuple[tuple | None, str | None]:
    """The suggestion block's lines, or why they are withheld: lines holding a secret would leak
    (or, scrubbed, read wrong); lines a report cannot show as they are would change on the way
    (a control character, a Unicode line separator)."""
    lines = changed_lines(text, edits)
    shown = lines[2].replace("\r\n", "\n")
    if run.scrub and run.scrub.text(shown) != shown:
        return None, SECRET_LINES
    if safe_text(shown) != shown:
        return None, UNSHOWABLE_LINES
    return lines, None


def suggest(finding: Finding, run: _Run) -> SuggestedFix | None:
    """The fix for one finding, or None when the library knows no input-level fix for it."""
    if finding.status is not Status.FAIL or finding.resource is None:
        return None
    wanted = _wanted(finding, run.inventory)
    if wanted is None:
        return None
    fix = SuggestedFix(finding.id, finding.check.id)
    if not wanted:
        return replace(fix, manual=NEEDS_MORE)
    targets = []
    for res, changes in wanted:
        target = Target(res.name, res.type, tuple(changes), address=res.address)
        try:
            named, line, _, text = run.files.source(res)
            target = replace(target, file=named, line=line)
            targets.append(target)
            if why := _others(run, finding.check.id, res, changes):
                raise NotEditable(why)
            edits = edit_call(
                text,
                line,
                class_name(res.type),
                [(c.path, c.value) for c in changes],
                file=named,
                redact=run.scrub.text,
            )
        except NotEditable as exc:
            return replace(fix, targets=(*targets[:-1], target), manual=run.said(str(exc)))
        lines, withheld = _suggestion(run, text, edits)
        targets[-1] = replace(
            target, replacements=tuple(edits), suggestion=lines, withheld=withheld
        )
    return replace(fix, targets=tuple(targets))


def suggest_all(
    findings: Iterable[Finding],
    evaluation: Evaluation,
    home: Path,
    *,
    secrets: Iterable[str] = (),
    cwd: Path | None = None,
) -> dict[str, SuggestedFix]:
    """Every failing finding's fix, by finding id. `secrets`: the texts the run was given as
    secret, beside those the inventory marks (`policies.redaction.scrubber`)."""
    findings = list(findings)
    declared: dict[tuple[str, int, str], list[Resource]] = {}
    for res in evaluation.inventory:
        at = res.position or {}
        declared.setdefault((at.get("file"), at.get("line"), res.type), []).append(res)
    run = _Run(
        evaluation.inventory,
        ProgramFiles(home, cwd),
        scrubber(evaluation.inventory, secrets),
        {(f.check.id, f.resource.address): f.status for f in findings if f.resource},
        {key: tuple(group) for key, group in declared.items()},
    )
    out = {}
    for finding in findings:
        fix = suggest(finding, run)
        if fix is not None:
            out[finding.id] = fix
    return verified(out, evaluation)


def verified(fixes: dict[str, SuggestedFix], evaluation: Evaluation) -> dict[str, SuggestedFix]:
    """The fixes, each told whether it is enough: every edit is made on the inventory in memory
    and the checks run again; a fix whose finding does not then PASS is partial, with the
    check's own words for what is left."""
    ready = [f for f in fixes.values() if not f.manual]
    if not ready:
        return fixes
    changed: dict[str, dict[str, Any]] = {}
    by_address = {r.address: r for r in evaluation.inventory}
    for fix in ready:
        for target in fix.targets:
            res = by_address[target.address]
            props = changed.setdefault(res.address, dict(res.props))
            for change in target.changes:
                _put(props, change.path, change.value)
    patched = Inventory(
        [
            replace(r, props=changed[r.address]) if r.address in changed else r
            for r in evaluation.inventory
        ],
        gaps=evaluation.inventory.gaps,
    )
    checks = Registry(c for c in evaluation.registry if c.id in {f.check_id for f in ready})
    after = {f.id: f for f in evaluate(patched, checks).findings}
    out = dict(fixes)
    for fix in ready:
        found = after.get(fix.finding_id)
        if found is None or found.status is not Status.PASS:
            said = found.message if found else "the finding is not found after the fix"
            out[fix.finding_id] = replace(fix, still_fails=said)
    return out


def _put(node: Any, path: Sequence[str | int], value: Any) -> None:
    """Set `value` at `path` inside `node` (a dict), copying each container on the way so the
    inventory's own values are never changed."""
    *parents, leaf = path
    for key in parents:
        child = node[key] if _has(node, key) else {}
        child = (
            list(child)
            if isinstance(child, (list, tuple))
            else dict(child)
            if isinstance(child, Mapping)
            else {}
        )
        node[key] = child
        node = child
    node[leaf] = value


def _has(node: Any, key: str | int) -> bool:
    if isinstance(node, list):
        return isinstance(key, int) and -len(node) <= key < len(node)
    return key in node


def fix_records(fixes: Mapping[str, SuggestedFix]) -> dict[str, dict[str, Any]]:
    return {finding_id: fix.as_record() for finding_id, fix in fixes.items()}
