"""What a program scan could not see is said in the reports a person reads: the Markdown head
and the HTML coverage section (checks/sources/program_unseen.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAFEGUARD = Path(sys.executable).with_name("safeguard")


def test_an_awsx_component_is_named_in_the_markdown_and_the_coverage(tmp_path):
    program = REPO / "tests" / "programs" / "corpus" / "awsx_vpc"
    proc = subprocess.run(
        [str(SAFEGUARD), "scan", str(program), "--format", "md,html", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert (
        "note: not seen: awsx:ec2:Vpc 'main': a multi-language component builds its resources "
        "in its own provider, which a scan under mocks cannot run"
    ) in proc.stderr
    md = (tmp_path / "safeguard-scan.md").read_text()
    assert (
        "ℹ️ Not seen: awsx:ec2:Vpc 'main': a multi-language component builds its resources in "
        "its own provider, which a scan under mocks cannot run"
    ) in md
    html = (tmp_path / "safeguard-report.html").read_text()
    section = html[html.index("What the program scan could not see (1)") :]
    row = section[: section.index("</tr>", section.index("<tbody>"))]
    assert "awsx:ec2:Vpc &#39;main&#39;" in row or "awsx:ec2:Vpc 'main'" in row
    assert '<code class="small">aws:ec2/subnet:Subnet</code>' in row
