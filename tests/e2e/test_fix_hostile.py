"""`safeguard fix` against programs and users that try to make it do harm: a declaration that
makes several resources (one of them waived, or one the fix does not suit), secrets next to the
edit, a diff aimed at a program file, CRLF files, read-only files, running from a subfolder.
Each case comes from a hostile review of the first version; each must now hold."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAFEGUARD = Path(sys.executable).with_name("safeguard")
HEAD = "import pulumi_aws as aws\n"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SAFEGUARD), *args], capture_output=True, text=True, cwd=cwd, timeout=600, check=False
    )


def program(tmp_path: Path, source: str, *, newline: str = "\n") -> Path:
    folder = tmp_path / "program"
    folder.mkdir()
    (folder / "Pulumi.yaml").write_text("name: hostile\nruntime: python\n")
    (folder / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-east-1\n")
    with (folder / "__main__.py").open("w", encoding="utf-8", newline=newline) as out:
        out.write(source)
    return folder


def fixes(folder: Path, tmp_path: Path) -> dict[tuple[str, str], dict]:
    done = run("scan", ".", "--format", "json", "--out", str(tmp_path / "out"), "-q", cwd=folder)
    assert done.returncode in (0, 1), done.stderr
    doc = json.loads((tmp_path / "out" / "safeguard-scan.json").read_text())
    return {
        (f["check_id"], f["resource"]["name"]): f["fix"]
        for f in doc["findings"]
        if f.get("fix") and f["resource"]
    }


LOOP = (
    HEAD
    + """for name in ["keep-plain", "fix-me"]:
    aws.sqs.Queue(name, sqs_managed_sse_enabled=False)
"""
)
WAIVER = """waivers:
  - id: W-1
    check: sqs_queue_encrypted
    resources: ["urn:pulumi:dev::hostile::aws:sqs/queue:Queue::keep-plain"]
    type: risk_acceptance
    justification: test queue of synthetic messages, encrypted by the client before sending
    approver: Security Official
    approved: 2026-11-01
    expires: 2099-01-01
"""


def test_a_line_that_also_makes_a_waived_resource_is_not_edited(tmp_path):
    folder = program(tmp_path, LOOP)
    (folder / "policies" / "waivers").mkdir(parents=True)
    (folder / "policies" / "waivers" / "dev.yaml").write_text(WAIVER)
    fix = fixes(folder, tmp_path)[("sqs_queue_encrypted", "fix-me")]
    assert fix["status"] == "manual"
    assert fix["why"] == (
        "the line that declares fix-me also makes keep-plain (WAIVED), which this edit would "
        "change too: change the declaration by hand"
    )
    done = run("fix", ".", "--apply", cwd=folder)
    assert done.returncode == 0, done.stderr
    assert (folder / "__main__.py").read_text() == LOOP


HELPER = (
    HEAD
    + """def database(name, engine):
    return aws.rds.Instance(name, engine=engine, instance_class="db.t3.micro",
                            allocated_storage=20, storage_encrypted=True)


database("claims", "postgres")
database("legacy", "sqlserver-ex")
"""
)


def test_a_helper_called_for_resources_the_fix_does_not_suit_is_not_edited(tmp_path):
    folder = program(tmp_path, HELPER)
    found = fixes(folder, tmp_path)
    iam = found[("rds_iam_authentication", "claims")]
    assert iam["status"] == "manual"
    assert "also makes legacy (NOT_APPLICABLE)" in iam["why"]
    # Both fail deletion protection with the same fix: the shared line may change for both.
    assert found[("rds_instance_deletion_protection", "claims")]["status"] == "ready"


PASSWORD = "Tr0ub4dor-and-3-horse-battery-staple"
KWARGS = (
    HEAD
    + f"""aws.rds.Instance("db", **{{"password": "{PASSWORD}", "engine": "postgres",
    "instance_class": "db.t3.micro", "allocated_storage": 20, "username": "app"}})
"""
)


def test_no_piece_of_a_secret_reaches_a_report_or_the_terminal(tmp_path):
    folder = program(tmp_path, KWARGS)
    out = tmp_path / "out"
    done = run("scan", ".", "--format", "json,md,sarif,html", "--out", str(out), "-q", cwd=folder)
    assert done.returncode == 1, done.stderr
    shown = run("fix", ".", cwd=folder)
    texts = [shown.stdout, shown.stderr, *(p.read_text() for p in out.iterdir())]
    pieces = {PASSWORD[i : i + 10] for i in range(len(PASSWORD) - 9)}
    assert not [p for p in pieces for t in texts if p in t]
    assert "come through" in shown.stderr  # the reason is still given, with [secret] in it


def test_a_diff_with_a_secret_is_not_written_to_a_file_even_with_apply(tmp_path):
    source = HEAD + f'aws.rds.Instance("db", password="{PASSWORD}", storage_encrypted=False)\n'
    folder = program(tmp_path, source)
    done = run("fix", ".", "--apply", "--diff", str(tmp_path / "d.diff"), cwd=folder)
    assert done.returncode == 2
    assert not (tmp_path / "d.diff").exists()
    assert (folder / "__main__.py").read_text() == source


def test_the_diff_may_not_land_in_the_program_or_a_missing_folder(tmp_path):
    folder = program(tmp_path, HEAD + 'aws.sqs.Queue("q", sqs_managed_sse_enabled=False)\n')
    inside = run("fix", ".", "--diff", "__main__.py", cwd=folder)
    assert inside.returncode == 2
    assert inside.stderr.strip() == (
        "safeguard: error: --diff __main__.py: inside the program folder; write it elsewhere"
    )
    assert "sqs_managed_sse_enabled=False" in (folder / "__main__.py").read_text()
    missing = run("fix", ".", "--diff", str(tmp_path / "no" / "d.diff"), cwd=folder)
    assert missing.returncode == 2 and "no such folder" in missing.stderr


def test_running_from_a_subfolder_edits_the_programs_file(tmp_path):
    source = HEAD + 'aws.sqs.Queue("live-q", sqs_managed_sse_enabled=False)\n'
    folder = program(tmp_path, source)
    (folder / "legacy").mkdir()
    (folder / "legacy" / "__main__.py").write_text(source.replace("live-q", "old-q"))
    done = run("fix", "..", "--apply", cwd=folder / "legacy")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "sqs_managed_sse_enabled=True" in (folder / "__main__.py").read_text()
    assert "old-q" in (folder / "legacy" / "__main__.py").read_text()
    assert "sqs_managed_sse_enabled=False" in (folder / "legacy" / "__main__.py").read_text()


def test_crlf_files_keep_their_line_ends_and_take_the_diff(tmp_path):
    source = HEAD + 'aws.sqs.Queue(\n    "q",\n    sqs_managed_sse_enabled=False,\n)\n'
    folder = program(tmp_path, source, newline="\r\n")
    done = run("fix", ".", "--diff", str(tmp_path / "d.diff"), "-q", cwd=folder)
    assert done.returncode == 0, done.stderr
    subprocess.run(["git", "init", "-q", "."], cwd=folder, check=True)
    subprocess.run(["git", "apply", "--check", str(tmp_path / "d.diff")], cwd=folder, check=True)
    assert run("fix", ".", "--apply", "-q", cwd=folder).returncode == 0
    written = (folder / "__main__.py").read_bytes()
    assert written.count(b"\r\n") == 5 and b"\n" not in written.replace(b"\r\n", b"")
    assert b"sqs_managed_sse_enabled=True,\r\n" in written


def test_a_read_only_file_is_left_alone(tmp_path):
    source = HEAD + 'aws.sqs.Queue("q", sqs_managed_sse_enabled=False)\n'
    folder = program(tmp_path, source)
    main = folder / "__main__.py"
    main.chmod(stat.S_IRUSR | stat.S_IRGRP)
    try:
        done = run("fix", ".", "--apply", cwd=folder)
    finally:
        main.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert done.returncode == 2
    assert done.stderr.strip().endswith("__main__.py: read-only; no file was changed")
    assert main.read_text() == source


def test_a_call_split_after_the_module_is_still_found(tmp_path):
    source = HEAD + 'aws.sqs.\\\n    Queue("q", sqs_managed_sse_enabled=False)\n'
    folder = program(tmp_path, source)
    fix = fixes(folder, tmp_path)[("sqs_queue_encrypted", "q")]
    assert fix["status"] == "ready", fix


def test_lines_a_report_cannot_show_as_they_are_are_withheld(tmp_path):
    source = HEAD + 'aws.sqs.Queue("q", tags={"note": "a\u2028b"}, sqs_managed_sse_enabled=False)\n'
    folder = program(tmp_path, source)
    (target,) = fixes(folder, tmp_path)[("sqs_queue_encrypted", "q")]["targets"]
    assert "suggestion" not in target
    assert target["suggestion_withheld"].startswith("the declaring lines hold characters")
    assert target["replacements"][0]["text"] == "True"


def test_a_bad_check_names_the_option_given(tmp_path):
    folder = program(tmp_path, HEAD + 'aws.sqs.Queue("q")\n')
    done = run("fix", ".", "--check", "", cwd=folder)
    assert done.returncode == 2
    assert done.stderr.strip() == "safeguard: error: --check '': names no check"


def test_a_file_with_a_byte_order_mark_is_fixed_and_keeps_it(tmp_path):
    folder = program(
        tmp_path, "\ufeff" + HEAD + 'aws.sqs.Queue("q", sqs_managed_sse_enabled=False)\n'
    )
    assert fixes(folder, tmp_path)[("sqs_queue_encrypted", "q")]["status"] == "ready"
    done = run("fix", ".", "--diff", str(tmp_path / "d.diff"), "-q", cwd=folder)
    assert done.returncode == 0, done.stderr
    subprocess.run(["git", "init", "-q", "."], cwd=folder, check=True)
    subprocess.run(["git", "apply", "--check", str(tmp_path / "d.diff")], cwd=folder, check=True)
    assert run("fix", ".", "--apply", "-q", cwd=folder).returncode == 0
    written = (folder / "__main__.py").read_bytes()
    assert written.startswith(b"\xef\xbb\xbfimport pulumi_aws")
    assert b"sqs_managed_sse_enabled=True)" in written
