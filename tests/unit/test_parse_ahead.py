"""A program's files are parsed for the fixes while the program runs under mocks (in another
process): the parse is then ready when `suggest_all` edits a declaration."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from checks.sources.program import scan_program
from policies import source_edit
from policies.fixes import parse_ahead

REPO = Path(__file__).resolve().parents[2]


def _cached(text: str) -> bool:
    """Whether the parse of `text` is kept (a look that parses nothing)."""
    before = source_edit._parsed.cache_info()
    source_edit._parsed(text)
    return source_edit._parsed.cache_info().hits == before.hits + 1


def test_the_programs_files_are_parsed_ahead_largest_first(tmp_path):
    source_edit._parsed.cache_clear()
    texts = {
        "__main__.py": "import pulumi_aws as aws\nb = aws.s3.Bucket('b')\n" * 50,
        "lib/helpers.py": "def helper():\n    return 1\n",
        ".venv/lib/site.py": "x = 1  # a virtualenv inside the program folder: not ours\n",
        "venv/other.py": "y = 2\n",
        "small.py": "z = 3\n",
    }
    for name, text in texts.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    (tmp_path / "nul.py").write_bytes(b"a = 1\x00\n")  # ast refuses null bytes (ValueError)
    (tmp_path / "latin.py").write_bytes(b"s = '\xe9'\n")  # not UTF-8: left for later
    (tmp_path / "gone.py").symlink_to(tmp_path / "nowhere.py")  # a link to nothing
    os.mkfifo(tmp_path / "pipe.py")  # reading it would wait for a writer forever
    parse_ahead(tmp_path, most=5)  # five files: the two it cannot parse, then small.py
    assert [_cached(texts[n]) for n in texts] == [True, True, False, False, True]
    source_edit._parsed.cache_clear()
    parse_ahead(tmp_path, most=1)
    assert [_cached(texts[n]) for n in ("lib/helpers.py", "__main__.py")] == [False, True]


def test_a_file_over_the_size_limit_is_left_for_later(tmp_path):
    source_edit._parsed.cache_clear()
    big = "x = 1\n" * 100
    (tmp_path / "__main__.py").write_text(big)
    parse_ahead(tmp_path, largest=len(big) - 1)
    assert not _cached(big)


def test_the_callback_runs_once_while_the_program_runs():
    calls: list[str] = []

    def beside() -> None:
        calls.append(threading.current_thread().name)

    scan = scan_program(REPO / "tests" / "programs" / "one_bucket", while_running=beside)
    assert scan.resources  # the program ran to its end
    assert calls == [threading.current_thread().name]


def test_a_scan_drops_its_parses_once_the_fixes_are_made(tmp_path):
    """Kept to the end, a large program's syntax trees cost the interpreter a third of a
    second to tear down on exit: the scan waits for the parse and drops it."""
    from scripts.cli import main

    program = tmp_path / "program"
    program.mkdir()
    (program / "Pulumi.yaml").write_text("name: parsed\nruntime: python\n")
    (program / "__main__.py").write_text(
        "import pulumi_aws as aws\n"
        'aws.kms.Key("key", deletion_window_in_days=30)\n'  # rotation off: an input's fix
    )
    source_edit._parsed.cache_clear()
    code = main(["scan", str(program), "--out", str(tmp_path / "out"), "-q", "--no-history"])
    assert code == 1
    assert '"input":"enable_key_rotation"' in (tmp_path / "out" / "safeguard-scan.json").read_text()
    assert source_edit._parsed.cache_info().currsize == 0
    assert not [t for t in threading.enumerate() if t.name == "parse-ahead"]
