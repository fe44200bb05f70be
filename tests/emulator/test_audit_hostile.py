"""`safeguard audit` against careless input and hostile endpoints: one error line and exit 2,
or a gap; never a traceback, an endless audit, a leaked password or an audit of nothing that
passes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from checks.sources.aws import collect
from tests.emulator.hostile_endpoint import HostileEndpoint

REPO = Path(__file__).resolve().parents[2]
SAFEGUARD = REPO / ".venv" / "bin" / "safeguard"


def _audit(env, tmp_path, *options, cwd=None):
    return subprocess.run(
        [str(SAFEGUARD), "audit", "-q", "--format", "json,md", *options],
        capture_output=True, text=True, timeout=240, env=env, check=False, cwd=cwd or tmp_path,
    )  # fmt: skip


def _one_error_line(run) -> str:
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.mark.parametrize("endpoint", ["http://", "notaurl", "ftp://127.0.0.1:9"])
def test_an_endpoint_that_is_no_url_is_one_error_line(aws, tmp_path, endpoint):
    line = _one_error_line(_audit(aws.env, tmp_path, "--endpoint-url", endpoint))
    assert "--endpoint-url" in line


def test_an_ordinary_web_page_for_an_endpoint_is_one_error_line(aws, tmp_path):
    with HostileEndpoint("page") as page:
        line = _one_error_line(_audit(aws.env, tmp_path, "--endpoint-url", page.endpoint))
    assert "credentials do not work" in line or "cannot be set up" in line


def test_an_account_with_no_enabled_region_is_an_error_not_a_pass(aws, tmp_path):
    with HostileEndpoint("emptyregions") as empty:
        run = _audit(aws.env, tmp_path, "--endpoint-url", empty.endpoint, "--regions", "all")
    assert "no enabled region" in _one_error_line(run)


def test_an_endless_list_is_a_gap_not_an_endless_audit(aws, tmp_path, monkeypatch):
    monkeypatch.setattr(collect, "MAX_PAGES", 50)
    from checks.sources.aws.services import ec2_network
    from tests.emulator.live_audit import collect as collect_live  # the same source, in-process

    with HostileEndpoint("loop") as loop:

        class _At:
            endpoint = loop.endpoint

        groups = "aws:ec2/securityGroup:SecurityGroup"
        collected = collect_live(_At, [c for c in ec2_network.COLLECTORS if groups in c.types])
    reasons = " ".join(collected.gaps.values())
    assert "still handing out pages after 50" in reasons


def test_a_password_in_the_endpoint_url_reaches_no_output(aws, tmp_path):
    host = aws.endpoint.split("//", 1)[1]
    run = _audit(aws.env, tmp_path, "--endpoint-url", f"http://auditor:hunter2pw@{host}",
                 "--out", str(tmp_path / "o"), "--checks", "sg_*")  # fmt: skip
    assert run.returncode in (0, 1, 3), run.stderr
    assert "hunter2pw" not in run.stdout + run.stderr
    for artifact in (tmp_path / "o").iterdir():
        assert "hunter2pw" not in artifact.read_text(errors="replace"), artifact.name


def test_regions_and_roles_named_twice_are_read_once(aws, tmp_path):
    role = "arn:aws:iam::123456789012:role/auditor"
    twice = ["--regions", "us-east-1,us-east-1", "--role-arn", role, "--role-arn", role]
    run = _audit(aws.env, tmp_path, "--endpoint-url", aws.endpoint, "--out", str(tmp_path / "o"),
                 *twice)  # fmt: skip
    assert run.returncode in (0, 1, 3), run.stderr
    record = json.loads((tmp_path / "o" / "safeguard-scan.json").read_text())
    ids = [f["id"] for f in record["findings"]]
    assert len(ids) == len(set(ids))
    assert record["source"]["regions"] == ["us-east-1"]


def test_a_waivers_file_in_the_working_folder_is_not_applied_unasked(aws, tmp_path):
    waivers = tmp_path / "policies" / "waivers"
    waivers.mkdir(parents=True)
    (waivers / "us-east-1.yaml").write_text("not: [valid, waivers\n")  # would fail if read
    run = _audit(aws.env, tmp_path, "--endpoint-url", aws.endpoint, "--out", str(tmp_path / "o"))
    assert run.returncode in (0, 1, 3), run.stderr
    assert json.loads((tmp_path / "o" / "safeguard-scan.json").read_text())["waivers"] == []


@pytest.mark.parametrize(("option", "value"), [("--out", ""), ("--checks", ""), ("--checks", ",")])
def test_an_empty_option_is_an_error_not_everything(aws, tmp_path, option, value):
    extra = [] if option == "--out" else ["--out", str(tmp_path / "o")]
    line = _one_error_line(_audit(aws.env, tmp_path, "--endpoint-url", aws.endpoint, *extra,
                                  option, value))  # fmt: skip
    assert option in line


def test_every_region_of_the_account_audits_without_a_policy_file_named_after_them(aws, tmp_path):
    run = _audit(aws.env, tmp_path, "--endpoint-url", aws.endpoint, "--out", str(tmp_path / "o"),
                 "--regions", "all", "--checks", "sg_*")  # fmt: skip
    assert run.returncode in (0, 1, 3), run.stderr
    record = json.loads((tmp_path / "o" / "safeguard-scan.json").read_text())
    assert len(record["source"]["regions"]) > 15
