"""The run history: every recorded run in one SQLite database (standard library `sqlite3`).

HIPAA asks for periodic evaluation (164.308(a)(8)) and for records kept six years
(164.316(b)(2)(i)); the history is where a run's evidence lands so the next run can be compared
with it and any run re-rendered later. Each run stores:

- the run document, as the exact text written to safeguard-scan.json (the redacted record: a
  secret never reaches it), so `safeguard report RUN_ID` renders the same bytes again;
- its scope (see `scope_of`), command, `generated_at`, gate exit code, the document SHA-256
  (`policies.run_identity.document_sha256`) and the record's assessment id;
- an inventory digest (see `inventory_digest`);
- one row per finding (id, check, status, severity, resource) and per artifact (path, SHA-256,
  size, from the run folder's manifest).

Run ids: the record's assessment id is not unique per run (it hashes the time to the second
and what was observed, so two runs of one program in the same second, or with
SOURCE_DATE_EPOCH pinned, share it). A run's id is instead the first 12 hex digits of
SHA-256("<sequence>:<document SHA-256>"), where the sequence is the run's number in this
database: unique within the database, and the same for the same runs recorded in the same
order (so reproducible runs print reproducible lines).

Guarantees: WAL journal and a busy timeout, so concurrent runs wait for each other instead of
failing; each run is written in one `BEGIN IMMEDIATE ... COMMIT` transaction, so a process
killed mid-write leaves nothing of that run visible. A database of a newer schema is refused.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from checks.errors import InputError
from policies.history_run import (
    RunSummary,
    StoredRun,
    address,
    inventory_digest,
    parse_document,
    scope_of,
)
from policies.run_identity import assessment_id, document_sha256

HISTORY_SCHEMA = 1
DEFAULT_LIMIT = 20
BUSY_TIMEOUT_MS = 60_000
RUN_ID_LENGTH = 12
_HEX = re.compile(r"[0-9a-f]+")

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS runs (
        seq INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL UNIQUE,
        assessment_id TEXT NOT NULL,
        scope TEXT NOT NULL,
        kind TEXT, project TEXT, stack TEXT,
        command TEXT NOT NULL,
        generated_at TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        exit_code INTEGER NOT NULL,
        document_sha256 TEXT NOT NULL,
        inventory_sha256 TEXT NOT NULL,
        resources INTEGER NOT NULL,
        document TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS runs_by_scope ON runs (scope, seq)",
    """CREATE TABLE IF NOT EXISTS findings (
        run_seq INTEGER NOT NULL REFERENCES runs (seq),
        finding_id TEXT NOT NULL,
        check_id TEXT NOT NULL,
        status TEXT NOT NULL,
        severity TEXT,
        resource TEXT
    )""",
    "CREATE INDEX IF NOT EXISTS findings_by_run ON findings (run_seq, status)",
    """CREATE TABLE IF NOT EXISTS artifacts (
        run_seq INTEGER NOT NULL REFERENCES runs (seq),
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        PRIMARY KEY (run_seq, path)
    )""",
)


_SUMMARY_COLUMNS = (
    "seq, run_id, assessment_id, scope, command, generated_at, recorded_at, exit_code, "
    "document_sha256, inventory_sha256, resources"
)


# The tables a run history has (the schema below makes them).
HISTORY_TABLES = frozenset({"meta", "runs", "findings", "artifacts"})


class HistoryStore:
    """One history database, open. Use `HistoryStore.open(path)`; close it (or use `with`)."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self._db = connection

    @classmethod
    def open(cls, path: Path, *, create: bool = True) -> HistoryStore:
        """Open (and, with `create`, make) the database at `path`. A file that is not a history
        database, or one of a newer schema, is an InputError naming it."""
        path = Path(path)
        if not create and not path.is_file():
            raise InputError(f"{path}: no run history there (no run has been recorded)")
        try:
            if create:
                path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        except (OSError, sqlite3.Error) as exc:
            raise InputError(f"{path}: cannot open the run history: {exc}") from None
        store = cls(path, db)
        try:
            with store._failures("open"):
                db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                # Known for a history (or empty) before anything is changed in it: another
                # tool's database is refused as it was found, not turned to WAL first.
                store._identify(create)
                if create:
                    db.execute("PRAGMA journal_mode = WAL")  # persistent: readers inherit it
                    db.execute("PRAGMA synchronous = NORMAL")
                store._prepare()
        except InputError:
            db.close()
            raise
        return store

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _failures(self, doing: str) -> Iterator[None]:
        """SQLite's errors as one line naming the file (a corrupt file, a full disk, a lock
        held past the timeout)."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            raise InputError(
                f"{self.path}: not a usable safeguard run history ({doing}: {exc})"
            ) from None

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (BEGIN IMMEDIATE): all of it or none."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            if self._db.in_transaction:  # SQLite may have rolled back already
                self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _identify(self, create: bool) -> None:
        """InputError unless the file is a run history, or empty and `create` (a run is being
        recorded): a reading command never writes a schema into a file."""
        tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master")}
        if not tables and not create:
            raise InputError(f"{self.path}: no run history there (no run has been recorded)")
        if tables and not tables >= HISTORY_TABLES:
            raise InputError(f"{self.path}: an SQLite database, but not a safeguard run history")

    def _prepare(self) -> None:
        tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master")}
        if "meta" not in tables:
            with self._transaction() as db:
                for statement in _SCHEMA:
                    db.execute(statement)
                db.execute(
                    "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)",
                    (str(HISTORY_SCHEMA),),
                )
        row = self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        version = int(row[0]) if row and str(row[0]).isdigit() else None
        if version is None:
            raise InputError(f"{self.path}: the run history has no schema version")
        if version > HISTORY_SCHEMA:
            raise InputError(
                f"{self.path}: run history schema {version} is newer than this version reads "
                f"({HISTORY_SCHEMA}); use a newer hipaa-safeguard"
            )

    def record_run(
        self,
        document_text: str | Path,
        *,
        command: str,
        artifacts: Sequence[Mapping[str, Any]] = (),
        exit_code: int | None = None,
        document: Mapping[str, Any] | None = None,
    ) -> RunSummary:
        """Store one run in one transaction; return it as listed. `document_text` is the run
        document as written (safeguard-scan.json); `artifacts` are manifest entries (path,
        sha256, size); the exit code defaults to the document's gate. A caller that holds the
        record the text was rendered from passes it as `document`, which spares reading the
        text back (for a large run, tens of megabytes parsed and checked a second time); it
        may then give the written file itself as `document_text`, whose bytes are copied in
        pieces (kept as a BLOB of that UTF-8 text), never held whole."""
        if isinstance(document_text, Path) and document is None:
            raise ValueError("a run document given as a file needs the record it holds")
        if document is None:
            document = parse_document(document_text, f"{self.path}#(new run)")
        source = document.get("source") or {}
        code = int(document["gate"]["exit_code"]) if exit_code is None else int(exit_code)
        now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        digest = document_sha256(document)
        with self._failures("record a run"), self._transaction() as db:
            seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM runs").fetchone()[0]
            run_id = _new_run_id(db, seq, digest)
            row = {
                "seq": seq,
                "run_id": run_id,
                "assessment_id": assessment_id(document),
                "scope": scope_of(source),
                "kind": source.get("kind"),
                "project": source.get("project"),
                "stack": source.get("stack"),
                "command": command,
                "generated_at": str(document.get("generated_at", "")),
                "recorded_at": now,
                "exit_code": code,
                "document_sha256": digest,
                "inventory_sha256": inventory_digest(document),
                "resources": len((document.get("inventory") or {}).get("items") or []),
                "document": document_text,
            }
            _insert_run(db, row)
            if isinstance(document_text, Path):
                _copy_in(db, seq, document_text)
            _insert_findings(db, seq, document.get("findings") or [])
            _insert_artifacts(db, seq, artifacts)
        return self._summary_of(run_id)

    def list_runs(self, scope: str | None = None, limit: int = DEFAULT_LIMIT) -> list[RunSummary]:
        """Recorded runs, newest (last recorded) first; `scope` matches a whole scope
        (`program:billing/dev`) or a project of any stack (`program:billing`)."""
        where, params = "", ()
        if scope:
            where, params = (
                "WHERE scope = ? OR substr(scope, 1, ?) = ?",
                (
                    scope,
                    len(scope) + 1,
                    scope + "/",
                ),
            )
        with self._failures("list runs"):
            rows = self._db.execute(
                f"SELECT {_SUMMARY_COLUMNS} FROM runs {where} ORDER BY seq DESC LIMIT ?",
                (*params, max(0, int(limit))),
            ).fetchall()
            return [self._summary(row) for row in rows]

    def last_run(self, scope: str) -> StoredRun | None:
        """The last recorded run of exactly `scope`, or None."""
        with self._failures("find the last run"):
            row = self._db.execute(
                "SELECT run_id FROM runs WHERE scope = ? ORDER BY seq DESC LIMIT 1", (scope,)
            ).fetchone()
        return self.load_run(row[0]) if row else None

    def load_run(self, run_id: str) -> StoredRun:
        """The run of id `run_id`, or of the one id it is a prefix of."""
        wanted = run_id.strip().lower()
        with self._failures("load a run"):
            ids = []
            if wanted and _HEX.fullmatch(wanted):
                ids = [
                    r[0]
                    for r in self._db.execute(
                        "SELECT run_id FROM runs WHERE substr(run_id, 1, ?) = ? ORDER BY seq",
                        (len(wanted), wanted),
                    )
                ]
            if not ids:
                raise InputError(f"{self.path}: no recorded run {run_id!r}")
            if len(ids) > 1:
                shown = ", ".join(ids[:5]) + (", ..." if len(ids) > 5 else "")
                raise InputError(
                    f"{self.path}: run id {run_id!r} is ambiguous, it begins {len(ids)} runs "
                    f"({shown}): give more of it"
                )
            summary = self._summary_of(ids[0])
            # CAST: a document copied in from its file is kept as the BLOB of its UTF-8 text.
            seq, text = self._db.execute(
                "SELECT seq, CAST(document AS TEXT) FROM runs WHERE run_id = ?", (ids[0],)
            ).fetchone()
            findings = self._db.execute(
                "SELECT finding_id, check_id, status, severity, resource FROM findings "
                "WHERE run_seq = ? ORDER BY rowid",
                (seq,),
            ).fetchall()
            artifacts = self._db.execute(
                "SELECT path, sha256, size FROM artifacts WHERE run_seq = ? ORDER BY path",
                (seq,),
            ).fetchall()
        return StoredRun(
            summary, text, tuple(findings), tuple(artifacts), f"{self.path}#{summary.run_id}"
        )

    def integrity_problems(self) -> list[str]:
        """SQLite's own integrity check: [] when the file is sound."""
        with self._failures("check integrity"):
            rows = [r[0] for r in self._db.execute("PRAGMA integrity_check")]
        return [] if rows == ["ok"] else rows

    def _summary_of(self, run_id: str) -> RunSummary:
        row = self._db.execute(
            f"SELECT {_SUMMARY_COLUMNS} FROM runs WHERE run_id = ?", (run_id,)
        ).fetchone()
        return self._summary(row)

    def _summary(self, row: Sequence[Any]) -> RunSummary:
        counts = dict(
            self._db.execute(
                "SELECT status, COUNT(*) FROM findings WHERE run_seq = ? GROUP BY status "
                "ORDER BY status",
                (row[0],),
            ).fetchall()
        )
        return RunSummary(*row[1:], counts=counts)


def _new_run_id(db: sqlite3.Connection, seq: int, digest: str) -> str:
    for attempt in range(100):
        salt = f":{attempt}" if attempt else ""
        run_id = hashlib.sha256(f"{seq}:{digest}{salt}".encode()).hexdigest()[:RUN_ID_LENGTH]
        if db.execute("SELECT 1 FROM runs WHERE run_id = ?", (run_id,)).fetchone() is None:
            return run_id
    raise InputError("no free run id after 100 tries: the run history is damaged")


def _insert_run(db: sqlite3.Connection, row: Mapping[str, Any]) -> None:
    """The run's row; a document given as a file gets room for its bytes (`_copy_in`)."""
    values = dict(row)
    streamed = isinstance(values["document"], Path)
    if streamed:
        values["document"] = values["document"].stat().st_size
    columns = ", ".join(row)
    marks = ", ".join(
        "zeroblob(:document)" if streamed and name == "document" else f":{name}" for name in row
    )
    db.execute(f"INSERT INTO runs ({columns}) VALUES ({marks})", values)


def _copy_in(db: sqlite3.Connection, seq: int, path: Path) -> None:
    """The written document's bytes into the room `_insert_run` made, a megabyte at a time."""
    with path.open("rb") as source, db.blobopen("runs", "document", seq) as blob:
        while chunk := source.read(1 << 20):
            if blob.tell() + len(chunk) > len(blob):
                break
            blob.write(chunk)
        if chunk or blob.tell() != len(blob):
            raise InputError(f"{path}: the run document changed while it was being recorded")


def _insert_findings(
    db: sqlite3.Connection, seq: int, findings: Sequence[Mapping[str, Any]]
) -> None:
    db.executemany(
        "INSERT INTO findings (run_seq, finding_id, check_id, status, severity, resource) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            (
                seq,
                f["id"],
                f["check_id"],
                f["status"],
                f.get("severity"),
                address(f["resource"]) if f.get("resource") else None,
            )
            for f in findings
        ],
    )


def _insert_artifacts(
    db: sqlite3.Connection, seq: int, artifacts: Sequence[Mapping[str, Any]]
) -> None:
    db.executemany(
        "INSERT INTO artifacts (run_seq, path, sha256, size) VALUES (?, ?, ?, ?)",
        [(seq, str(a["path"]), str(a["sha256"]), int(a["size"])) for a in artifacts],
    )
