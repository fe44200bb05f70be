"""The run history from the command line, as a user runs it: scans landing in it (two at
once too), `safeguard history`, `report RUN_ID`, `--previous last`, and the refusals."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PROGRAMS = REPO / "tests" / "programs"
SAFEGUARD = Path(sys.executable).with_name("safeguard")
HISTORY_ENV = "SAFEGUARD_HISTORY"
INSECURE_SCOPE = "program:insecure/dev"


def command(*args: str, history: Path | None = None) -> list[str]:
    return [str(SAFEGUARD), *args, *(["--history", str(history)] if history else [])]


def run(*args: str, history: Path | None = None, cwd: Path | None = None, env=None):
    return subprocess.run(
        command(*args, history=history),
        capture_output=True,
        text=True,
        timeout=300,
        env=env or dict(os.environ),
        cwd=cwd,
        check=False,
    )


def stored(path: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(path) as db:
        rows = db.execute(sql, params).fetchall()
    db.close()
    return rows


def recorded_id(stderr: str) -> str:
    found = re.findall(r"^safeguard: run ([0-9a-f]{12}) recorded in (.+)$", stderr, re.M)
    assert len(found) == 1, stderr
    return found[0][0]


@pytest.fixture(scope="module")
def two_at_once(tmp_path_factory):
    """Two scans of one program started together, into one new history."""
    folder = tmp_path_factory.mktemp("concurrent")
    history = folder / "history.sqlite"
    procs = [
        subprocess.Popen(
            command(
                "scan", str(PROGRAMS / "insecure"), "--out", str(folder / name), history=history
            ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b")
    ]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    return folder, history, results


def test_two_scans_started_at_once_both_land_complete(two_at_once):
    folder, history, results = two_at_once
    assert [code for code, _ in results] == [1, 1], results
    ids = {name: recorded_id(err) for name, (_, err) in zip("ab", results, strict=True)}
    assert len(set(ids.values())) == 2
    rows = stored(history, "SELECT run_id, scope, command, exit_code FROM runs ORDER BY seq")
    assert sorted(rows) == sorted((i, INSECURE_SCOPE, "scan", 1) for i in ids.values())
    for name, run_id in ids.items():
        (seq,) = stored(history, "SELECT seq FROM runs WHERE run_id = ?", run_id)[0]
        counts = dict(
            stored(history, "SELECT status, COUNT(*) FROM findings WHERE run_seq = ? "
                   "GROUP BY status", seq)
        )  # fmt: skip
        assert counts == {"FAIL": 22, "NOT_APPLICABLE": 1, "PASS": 9}
        manifest = json.loads((folder / name / "manifest.json").read_text())
        artifacts = stored(
            history, "SELECT path, sha256, size FROM artifacts WHERE run_seq = ? ORDER BY path", seq
        )
        listed = sorted((f["path"], f["sha256"], f["size"]) for f in manifest["files"])
        assert [a for a in artifacts if a[0] != "manifest.json"] == listed
        assert [a[0] for a in artifacts] == [
            "manifest.json",
            "safeguard-scan.json",
            "safeguard-scan.md",
        ]
    assert stored(history, "PRAGMA integrity_check") == [("ok",)]
    assert stored(history, "PRAGMA journal_mode") == [("wal",)]


def test_history_lists_the_runs_newest_first(two_at_once):
    _, history, _ = two_at_once
    ids = [r[0] for r in stored(history, "SELECT run_id FROM runs ORDER BY seq DESC")]
    proc = run("history", history=history)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert re.split(r"\s{2,}", lines[0]) == [
        "RUN ID",
        "WHEN",
        "SCOPE",
        "COMMAND",
        "EXIT",
        "FAIL",
        "NOT_EVALUATED",
    ]
    rows = [line.split() for line in lines[1:]]
    assert [row[0] for row in rows] == ids
    assert [row[2:] for row in rows] == [[INSECURE_SCOPE, "scan", "1", "22", "0"]] * 2
    listed = json.loads(run("history", "--format", "json", "--limit", "1", history=history).stdout)
    assert [r["run_id"] for r in listed] == ids[:1]
    assert listed[0]["counts"] == {"FAIL": 22, "NOT_APPLICABLE": 1, "PASS": 9}
    other = run("history", "--scope", "program:billing/dev", history=history)
    assert other.stdout == f"no runs recorded in {history} of scope program:billing/dev\n"


def test_report_re_renders_a_recorded_run_byte_for_byte(two_at_once, tmp_path):
    folder, history, results = two_at_once
    run_id = recorded_id(results[0][1])
    out = str(tmp_path)
    proc = run("report", run_id[:6], "--format", "json,csv", "--out", out, history=history)
    assert proc.returncode == 0, proc.stderr
    query = "SELECT CAST(document AS TEXT) FROM runs WHERE run_id = ?"
    document = stored(history, query, run_id)[0][0]
    rendered = (tmp_path / "safeguard-scan.json").read_bytes()
    assert rendered == document.encode()
    assert rendered == (folder / "a" / "safeguard-scan.json").read_bytes()
    missing = run("report", "abcdef", "--out", str(tmp_path / "x"), history=history)
    assert missing.returncode == 2
    assert missing.stderr == (
        f"safeguard: error: abcdef: no such file; {history}: no recorded run 'abcdef'\n"
    )


def test_previous_last_gives_the_trend_against_the_last_run_of_the_scope(tmp_path):
    program, history = tmp_path / "insecure", tmp_path / "history.sqlite"
    shutil.copytree(PROGRAMS / "insecure", program)
    first = run("scan", str(program), "--out", str(tmp_path / "one"), "-q", history=history)
    assert first.returncode == 1, first.stderr
    main = program / "__main__.py"
    text = main.read_text()
    text = text.replace("enable_key_rotation=False,\n    deletion_window_in_days", "enable_key_"
                        "rotation=True,\n    deletion_window_in_days")  # fmt: skip
    start, end = text.index("# Administrator-equivalent policy."), text.index("pulumi.export(")
    added = 'aws.kms.Key("second-key", description="never rotated", enable_key_rotation=False)\n'
    main.write_text(text[:start] + added + text[end:])
    out = tmp_path / "two"
    second = run("scan", str(program), "--out", str(out), "--previous", "last", history=history)
    assert second.returncode == 1, second.stderr
    trend = json.loads((out / "safeguard-scan.json").read_text())["trend"]
    assert trend["counts"] == {
        "new": 1,
        "regressed": 0,
        "new_check": 0,
        "persisting": 19,
        "fixed": 1,
        "removed": 2,
        "accepted": 0,
        "unverified": 0,
        "resolved": 3,
    }
    assert [(e["check_id"], e["resource"]) for e in trend["findings"]["new"]] == [
        ("kms_key_rotation_enabled", "second-key")
    ]
    assert [(e["check_id"], e["resource"]) for e in trend["findings"]["fixed"]] == [
        ("kms_key_rotation_enabled", "unrotated-key")
    ]
    first_id = stored(history, "SELECT assessment_id FROM runs ORDER BY seq")[0][0]
    assert trend["previous"]["assessment_id"] == first_id
    assert len(stored(history, "SELECT run_id FROM runs")) == 2


def test_previous_last_with_no_earlier_run_is_one_line(tmp_path):
    history = tmp_path / "history.sqlite"
    proc = run("scan", str(PROGRAMS / "insecure"), "--out", str(tmp_path / "o"),
               "--previous", "last", history=history)  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr == (
        f"safeguard: error: --previous last: no run history at {history}, so no earlier run\n"
    )
    assert not (tmp_path / "o").exists() and not history.exists()


def test_a_corrupt_history_is_exit_2_and_one_line(tmp_path):
    history = tmp_path / "history.sqlite"
    history.write_bytes(b"SQLite format 2\x00" + b"\xff" * 4000)
    proc = run("scan", str(PROGRAMS / "insecure"), "--out", str(tmp_path / "o"), history=history)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1
    assert proc.stderr.startswith(
        f"safeguard: error: {history}: not a usable safeguard run history (open: "
    )
    assert not (tmp_path / "o").exists()  # refused before the run, not after it
    listing = run("history", history=history)
    assert listing.returncode == 2 and listing.stderr.count("\n") == 1


def test_no_history_records_nothing_and_the_option_beats_the_environment(tmp_path):
    from_env = tmp_path / "env.sqlite"
    env = {**os.environ, HISTORY_ENV: str(from_env)}
    skipped = run("scan", str(PROGRAMS / "insecure"), "--out", str(tmp_path / "o1"),
                  "--format", "json", "--no-history", cwd=tmp_path, env=env)  # fmt: skip
    assert skipped.returncode == 1, skipped.stderr
    assert "recorded" not in skipped.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o1"]
    chosen = tmp_path / "chosen.sqlite"
    proc = run("scan", str(PROGRAMS / "insecure"), "--out", str(tmp_path / "o2"),
               "--format", "json", history=chosen, cwd=tmp_path, env=env)  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert f"recorded in {chosen}\n" in proc.stderr
    assert chosen.is_file() and not from_env.exists() and not (tmp_path / ".safeguard").exists()


def test_without_a_setting_the_history_is_under_the_working_folder(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != HISTORY_ENV}
    proc = run("scan", str(PROGRAMS / "insecure"), "--out", "o", "--format", "json",
               cwd=tmp_path, env=env)  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    run_id = recorded_id(proc.stderr)
    assert f"safeguard: run {run_id} recorded in .safeguard/history.sqlite\n" in proc.stderr
    listing = run("history", "--format", "json", cwd=tmp_path, env=env)
    assert [r["run_id"] for r in json.loads(listing.stdout)] == [run_id]


def test_the_stored_run_is_the_redacted_record_and_holds_no_secret(tmp_path):
    token = "tok-Hist9Qw2Er7Ty5"
    history, out = tmp_path / "history.sqlite", tmp_path / "o"
    proc = run("scan", str(PROGRAMS / "secrets"), "--secret", f"apiToken={token}",
               "--format", "json,md,csv", "--out", str(out), history=history)  # fmt: skip
    assert proc.returncode in (0, 1, 3), proc.stderr
    (document,) = stored(history, "SELECT CAST(document AS TEXT) FROM runs")[0]
    assert document.encode() == (out / "safeguard-scan.json").read_bytes()
    files = [p for p in tmp_path.iterdir() if p.name.startswith("history.sqlite")]
    assert files == [history]  # the last connection folded the WAL into the file
    assert token.encode() not in history.read_bytes()
    assert b"v1:AAAAAAAAAAAAAAAA" not in history.read_bytes()


def test_audits_started_together_land_and_the_trend_follows_the_account(tmp_path):
    """The acceptance run on the emulator: two audits at once both land; then a bucket goes
    and an open security group comes (new, removed), then the bucket is back (regressed)."""
    import boto3

    from checks.sources.aws.emulator import CREDENTIALS, Emulator

    history = tmp_path / "history.sqlite"
    env = {k: v for k, v in os.environ.items() if k != "AWS_PROFILE"}
    env.update({**CREDENTIALS, "AWS_DEFAULT_REGION": "us-east-1"})
    keys = {
        "aws_access_key_id": CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        "aws_session_token": CREDENTIALS["AWS_SESSION_TOKEN"],
    }
    with Emulator() as emulator:

        def audit(name: str, *extra: str) -> tuple[str, ...]:
            where = ("--endpoint-url", emulator.endpoint, "--regions", "us-east-1")
            return ("audit", *where, "--out", str(tmp_path / name), *extra)

        def client(service: str):
            return boto3.client(
                service, endpoint_url=emulator.endpoint, region_name="us-east-1", **keys
            )

        client("s3").create_bucket(Bucket="claims-exports")
        procs = [
            subprocess.Popen(
                command(*audit(name), history=history),
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for name in ("a", "b")
        ]
        together = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
        for p in procs:
            p.stderr.close()
        assert [code for code, _ in together] == [1, 1], together
        assert len({recorded_id(err) for _, err in together}) == 2
        client("s3").delete_bucket(Bucket="claims-exports")
        ec2 = client("ec2")
        group = ec2.create_security_group(GroupName="admin", Description="admin")["GroupId"]
        ec2.authorize_security_group_ingress(
            GroupId=group,
            IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                            "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
        )  # fmt: skip
        second = run(*audit("c", "--previous", "last"), history=history, env=env)
        client("s3").create_bucket(Bucket="claims-exports")
        third = run(*audit("d", "--previous", "last"), history=history, env=env)
    scope = "aws:123456789012/us-east-1"
    rows = stored(history, "SELECT scope, command FROM runs ORDER BY seq")
    assert rows == [(scope, "audit")] * 4
    for proc in (second, third):
        assert proc.returncode == 1, proc.stderr
    trends = [
        json.loads((tmp_path / name / "safeguard-scan.json").read_text())["trend"]
        for name in ("c", "d")
    ]
    assert [{k: v for k, v in t["counts"].items() if v} for t in trends] == [
        {"new": 2, "persisting": 18, "removed": 10, "resolved": 10},
        {"persisting": 20, "regressed": 10},
    ]
    assert [(e["check_id"], e["resource"]) for e in trends[0]["findings"]["new"]] == [
        ("sg_no_internet_admin_ports", "admin"),
        ("sg_internet_ingress_authorized_ports", "admin"),
    ]
    bucket = [e["resource"] for e in trends[0]["findings"]["removed"]]
    assert bucket.count("claims-exports") == 9 and bucket.count(None) == 1
    assert {e["id"] for e in trends[1]["findings"]["regressed"]} == {
        e["id"] for e in trends[0]["findings"]["removed"]
    }
    ids = [r[0] for r in stored(history, "SELECT assessment_id FROM runs ORDER BY seq")]
    assert [t["previous"]["assessment_id"] for t in trends] == ids[1:3]


def test_a_run_without_json_stores_the_document_json_would_have_written(tmp_path):
    history = tmp_path / "history.sqlite"
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1796083200"}
    for out, chosen in (("md", "md"), ("js", "json")):
        proc = run("scan", str(PROGRAMS / "insecure"), "--format", chosen, "--out",
                   str(tmp_path / out), "-q", history=history, env=env)  # fmt: skip
        assert proc.returncode == 1, proc.stderr
    documents = [
        r[0] for r in stored(history, "SELECT CAST(document AS TEXT) FROM runs ORDER BY seq")
    ]
    assert documents == [(tmp_path / "js" / "safeguard-scan.json").read_text()] * 2
    # Rendered for the history, the text is stored as text; written, the file's bytes are
    # copied in as they are (a BLOB of the same UTF-8 text), never read whole.
    kinds = stored(history, "SELECT typeof(document) FROM runs ORDER BY seq")
    assert kinds == [("text",), ("blob",)]
    assert stored(history, "SELECT path FROM artifacts WHERE run_seq = 1 ORDER BY path") == [
        ("manifest.json",),
        ("safeguard-scan.md",),
    ]
