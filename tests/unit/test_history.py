"""The run history store: a run in and out unchanged, listing and lookup, refusals, and the
transaction that leaves nothing of a run that did not finish (rolled back or killed)."""

from __future__ import annotations

import copy
import hashlib
import json
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from checks.errors import InputError
from policies import history
from policies.history import HistoryStore
from policies.history_run import inventory_digest, scope_of
from policies.run_identity import document_sha256
from reports.json_render import render_json
from tests.unit.test_report_formats import pipeline_document

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = [
    {"path": "safeguard-scan.json", "sha256": "a" * 64, "size": 1234},
    {"path": "safeguard-scan.md", "sha256": "b" * 64, "size": 567},
]
COUNTS = {"FAIL": 16, "NOT_APPLICABLE": 1, "NOT_EVALUATED": 2, "PASS": 3}


@pytest.fixture(scope="module")
def text() -> str:
    return render_json(pipeline_document())


def other_stack(text: str, stack: str, generated_at: str = "2026-11-27T00:00:00Z") -> str:
    document = copy.deepcopy(json.loads(text))
    document["source"]["stack"] = stack
    document["generated_at"] = generated_at
    return render_json(document)


def expected_id(seq: int, text: str) -> str:
    digest = document_sha256(json.loads(text))
    return hashlib.sha256(f"{seq}:{digest}".encode()).hexdigest()[:12]


def test_a_run_comes_back_as_it_went_in(tmp_path, text):
    path = tmp_path / "nested" / "history.sqlite"
    with HistoryStore.open(path) as store:
        summary = store.record_run(text, command="scan", artifacts=ARTIFACTS)
    assert summary.run_id == expected_id(1, text)
    assert summary.scope == "program:billing/dev"
    assert summary.command == "scan"
    assert summary.generated_at == "2026-11-26T01:12:10Z"
    assert summary.exit_code == 1
    assert summary.counts == COUNTS
    assert summary.resources == 2
    assert summary.document_sha256 == document_sha256(json.loads(text))
    assert summary.assessment_id.startswith("SA-20261126T011210Z-")
    with HistoryStore.open(path, create=False) as store:
        stored = store.load_run(summary.run_id[:5].upper())
    assert stored.summary == summary
    assert stored.document_text == text
    assert render_json(stored.document()) == text
    assert stored.artifacts == (
        ("safeguard-scan.json", "a" * 64, 1234),
        ("safeguard-scan.md", "b" * 64, 567),
    )
    assert len(stored.findings) == 22
    first = json.loads(text)["findings"][0]
    assert stored.findings[0][:4] == (
        first["id"],
        first["check_id"],
        first["status"],
        first["severity"],
    )
    previous = stored.as_previous()
    assert previous.path == Path(f"{path}#{summary.run_id}")
    assert previous.record == json.loads(text)


def test_the_inventory_digest_is_of_the_sorted_types_and_addresses(text):
    lines = (
        "aws:ec2/securityGroup:SecurityGroup "
        "urn:pulumi:dev::billing::aws:ec2/securityGroup:SecurityGroup::admin\n"
        "aws:rds/instance:Instance urn:pulumi:dev::billing::aws:rds/instance:Instance::billing-db"
    )
    assert inventory_digest(json.loads(text)) == hashlib.sha256(lines.encode()).hexdigest()
    shuffled = json.loads(text)
    shuffled["inventory"]["items"].reverse()
    assert inventory_digest(shuffled) == hashlib.sha256(lines.encode()).hexdigest()


def test_a_scope_is_kind_project_and_stack():
    assert scope_of({"kind": "program", "project": "billing", "stack": "prod"}) == (
        "program:billing/prod"
    )
    live = {"kind": "aws", "project": "aws:111111111111,222222222222", "stack": "us-east-1"}
    assert scope_of(live) == "aws:111111111111,222222222222/us-east-1"
    assert scope_of({"kind": "preview", "project": None, "stack": None}) == "preview:/"


def test_runs_are_listed_newest_first_and_by_scope(tmp_path, text):
    with HistoryStore.open(tmp_path / "h.sqlite") as store:
        first = store.record_run(text, command="scan")
        prod = store.record_run(other_stack(text, "prod"), command="audit")
        second = store.record_run(text, command="scan")
        assert [r.run_id for r in store.list_runs()] == [
            second.run_id,
            prod.run_id,
            first.run_id,
        ]
        assert [r.run_id for r in store.list_runs(limit=1)] == [second.run_id]
        assert [r.run_id for r in store.list_runs("program:billing/dev")] == [
            second.run_id,
            first.run_id,
        ]
        assert len(store.list_runs("program:billing")) == 3
        assert store.list_runs("program:bill") == []
        assert store.last_run("program:billing/prod").summary.run_id == prod.run_id
        assert store.last_run("program:billing/dev").summary.run_id == second.run_id
        assert store.last_run("aws:1/us-east-1") is None
    # the same document twice is two runs, with two ids
    assert first.run_id != second.run_id
    assert second.run_id == expected_id(3, text)


def test_an_unknown_or_ambiguous_id_is_refused_by_name(tmp_path, text):
    with HistoryStore.open(tmp_path / "h.sqlite") as store:
        ids = [store.record_run(text, command="scan").run_id for _ in range(20)]
        with pytest.raises(InputError, match=r"no recorded run 'zz-not-hex'"):
            store.load_run("zz-not-hex")
        with pytest.raises(InputError, match=r"no recorded run 'ffffffffffffff'"):
            store.load_run("ffffffffffffff")
        # twenty ids over sixteen first digits: at least two share one
        shared = next(i[0] for i in ids if sum(j[0] == i[0] for j in ids) > 1)
        with pytest.raises(InputError, match=rf"run id '{shared}' is ambiguous"):
            store.load_run(shared)


def test_a_file_that_is_no_history_is_one_line_naming_it(tmp_path, text):
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"this is not a database at all\n" * 200)
    with pytest.raises(InputError) as caught:
        HistoryStore.open(garbage)
    message = str(caught.value)
    assert message.startswith(f"{garbage}: not a usable safeguard run history (open: ")
    assert "\n" not in message
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE t (x)")
    with pytest.raises(InputError, match="an SQLite database, but not a safeguard run history"):
        HistoryStore.open(other)
    with pytest.raises(InputError, match=r"no run history there"):
        HistoryStore.open(tmp_path / "missing.sqlite", create=False)
    assert not (tmp_path / "missing.sqlite").exists()


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "h.sqlite"
    HistoryStore.open(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    db.close()
    with pytest.raises(InputError) as caught:
        HistoryStore.open(path)
    assert str(caught.value) == (
        f"{path}: run history schema 2 is newer than this version reads (1); "
        "use a newer hipaa-safeguard"
    )


def test_a_failure_inside_the_transaction_leaves_nothing(tmp_path, text, monkeypatch):
    def broken(db, seq, artifacts):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(history, "_insert_artifacts", broken)
    with HistoryStore.open(tmp_path / "h.sqlite") as store:
        with pytest.raises(InputError, match=r"\(record a run: disk I/O error\)"):
            store.record_run(text, command="scan", artifacts=ARTIFACTS)
        assert store.list_runs() == []
        monkeypatch.undo()
        assert store.record_run(text, command="scan").run_id == expected_id(1, text)


_KILLED_WRITER = """
import sys, time
from pathlib import Path
from policies import history

original = history._insert_findings

def stalled(db, seq, findings):
    original(db, seq, findings)  # the run and its findings are written, not committed
    print("inside", flush=True)
    time.sleep(120)

history._insert_findings = stalled
store = history.HistoryStore.open(Path(sys.argv[1]))
store.record_run(Path(sys.argv[2]).read_text(encoding="utf-8"), command="audit")
"""


def test_a_run_killed_mid_write_leaves_no_trace(tmp_path, text):
    path, document = tmp_path / "h.sqlite", tmp_path / "run.json"
    document.write_text(other_stack(text, "prod"), encoding="utf-8")
    with HistoryStore.open(path) as store:
        kept = store.record_run(text, command="scan")
    writer = subprocess.Popen(
        [sys.executable, "-c", _KILLED_WRITER, str(path), str(document)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout.readline() == "inside\n", writer.stderr.read()
        assert (tmp_path / "h.sqlite-wal").is_file()
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    with HistoryStore.open(path) as store:
        assert store.integrity_problems() == []
        assert [r.run_id for r in store.list_runs()] == [kept.run_id]
        assert store.list_runs("program:billing/prod") == []
        # the dead writer's run number is free again: the next run takes it
        assert store.record_run(text, command="scan").run_id == expected_id(2, text)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM findings").fetchone() == (44,)
        assert db.execute("SELECT COUNT(*) FROM runs WHERE command = 'audit'").fetchone() == (0,)
    db.close()


def test_another_tools_database_is_refused_as_it_was_found(tmp_path):
    """Refused before any pragma: its journal mode stays, and no -wal/-shm files appear."""
    import sqlite3

    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE meta (key TEXT, value TEXT)")
        db.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    db.close()
    with pytest.raises(InputError, match="an SQLite database, but not a safeguard run history"):
        HistoryStore.open(foreign)
    with sqlite3.connect(foreign) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    db.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["foreign.db"]


def test_reading_an_empty_file_writes_nothing_into_it(tmp_path):
    empty = tmp_path / "empty.sqlite"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="no run history there"):
        HistoryStore.open(empty, create=False)
    assert empty.read_bytes() == b""
