"""A hostile pass over the 6 December cost cuts, from the command line: each test here failed
when written."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAFEGUARD = Path(sys.executable).with_name("safeguard")
PREVIEW = REPO / "tests" / "fixtures" / "pulumi" / "preview_first_create.json"


def test_a_preview_file_whose_name_is_not_utf8_is_one_line_not_a_traceback(tmp_path):
    # Linux file names are bytes: `p\xff.json` reaches Python as 'p\udcff.json', the record
    # names its source file, and the JSON writer's UTF-8 encode raises UnicodeEncodeError
    # (neither OSError nor InputError): a traceback, exit 1, and no report.
    odd = os.fsencode(tmp_path) + b"/p\xff.json"
    shutil.copyfile(PREVIEW, odd)
    done = subprocess.run(
        [
            os.fsencode(SAFEGUARD),
            b"scan",
            b"--preview",
            odd,
            b"--out",
            os.fsencode(tmp_path / "out"),
            b"--no-history",
            b"--format",
            b"json,md",
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    stderr = done.stderr.decode("utf-8", errors="replace")
    assert "Traceback" not in stderr
    assert done.returncode in (0, 1, 2), stderr


def test_a_program_scan_from_a_removed_working_folder_is_one_line_not_a_traceback(tmp_path):
    # The parse-ahead thread (new) and the project prefix (older) both call Path.cwd(): two
    # tracebacks, one of them "Exception in thread parse-ahead".
    gone = tmp_path / "gone"
    gone.mkdir()
    done = subprocess.run(
        f"cd {gone} && rmdir {gone} && exec {SAFEGUARD} scan {REPO / 'tests/programs/insecure'}"
        f" --out {tmp_path / 'out'} --no-history --format json",
        shell=True,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert "Traceback" not in done.stderr
    assert "Exception in thread" not in done.stderr
