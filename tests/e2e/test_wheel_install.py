"""The built wheel, installed into a fresh virtual environment, scans a program with no checkout.

The wheel is built from a copy of the sources (as `pip install .` or `pipx install .` builds
it), installed with pip into a new venv, and run from a folder outside the repository. Its
dependencies (pulumi, pulumi_aws, boto3...: hundreds of megabytes) are not downloaded again:
a `.pth` line puts this environment's site-packages after the new venv's own, for them only.
The project's code and data must come from the wheel — the test asserts where each package is
imported from and that the scan opens no file of the checkout.

Takes about a minute (a wheel build with its isolated build backend, a Pulumi program run).
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("checks", "policies", "reports", "scripts", "safeguard")
SAMPLE = REPO / "tests" / "programs" / "one_bucket"
VERSION = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]

# Files in the package folders that are not the code's run-time data, and why they stay out.
REPO_ONLY = {
    "policies/waivers/dev.yaml": "the billing stack's waivers, read from the scanned program",
    "policies/crossguard/README.md": "documentation of the pack, read by people",
}
# Shell scripts of a checkout (setup, tests, demo), run with bash from the repository's root.
CHECKOUT_SCRIPTS = "scripts/*.sh"
# Module constants that name a checkout's file on purpose: maintainers' tools, not the command.
CHECKOUT_PATHS = {
    "scripts.config_pack_table.README": "rewrites the README's Config-pack table in a checkout",
    "policies.version._PYPROJECT": "the version of a source tree run uninstalled; installed, the "
    "distribution's metadata answers first",
}


def _run(cmd: list[str], cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    # No PYTHONPATH or virtualenv of the caller: the new venv's interpreter finds what it has.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The wheel, built from a clean copy of what an sdist holds (no caches, no build/)."""
    root = tmp_path_factory.mktemp("wheel")
    src = root / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    for package in PACKAGES:
        shutil.copytree(REPO / package, src / package, ignore=shutil.ignore_patterns("__pycache__"))
    proc = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(root), str(src)],
        cwd=root,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    (wheel,) = root.glob("hipaa_safeguard-*.whl")
    return wheel


@pytest.fixture(scope="module")
def venv(built, tmp_path_factory) -> Path:
    """A fresh venv holding the wheel; this environment's site-packages only for dependencies."""
    home = tmp_path_factory.mktemp("venv") / "env"
    proc = _run([sys.executable, "-m", "venv", "--without-pip", str(home)], cwd=home.parent)
    assert proc.returncode == 0, proc.stderr
    python = home / "bin" / "python"
    proc = _run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
         "--no-deps", "--no-index", str(built)],
        cwd=home.parent,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                     cwd=home.parent).stdout.strip())  # fmt: skip
    (site / "zz_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return home


def test_the_wheel_holds_every_data_file_of_the_packages(built):
    """Every non-Python file in the package folders ships, but for the named repo-only ones;
    nothing else does. A data file added without a package-data pattern fails here."""
    in_repo = {
        str(p.relative_to(REPO))
        for package in PACKAGES
        for p in (REPO / package).rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    }
    with zipfile.ZipFile(built) as wheel:
        shipped = {
            name
            for name in wheel.namelist()
            if name.split("/")[0] in PACKAGES and not name.endswith(".py")
        }
        entry_points = wheel.read(f"hipaa_safeguard-{VERSION}.dist-info/entry_points.txt")
    scripts = {str(p.relative_to(REPO)) for p in REPO.glob(CHECKOUT_SCRIPTS)}
    assert "scripts/setup.sh" in scripts
    assert shipped == in_repo - set(REPO_ONLY) - scripts
    assert "checks/sources/pulumi_aws_properties.json.gz" in shipped
    assert "reports/templates/report.css" in shipped
    assert "safeguard = scripts.cli:main" in entry_points.decode()


def _requirement_name(line: str) -> str:
    return re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9_.\-]+", line).group(0)).lower()


def test_every_module_the_code_imports_is_a_declared_dependency_or_one_of_theirs(built):
    """What a clean machine installs is the wheel's Requires-Dist and their own requirements:
    every third-party import of the code (at the top or inside a function) must be among them,
    or `pipx install` would give a command that fails at its first such import."""
    imported = set()
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    imported.update(a.name.split(".")[0] for a in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - set(PACKAGES) - {"__future__"}
    with zipfile.ZipFile(built) as wheel:
        declared = [
            line.removeprefix("Requires-Dist: ")
            for line in wheel.read(f"hipaa_safeguard-{VERSION}.dist-info/METADATA")
            .decode()
            .splitlines()
            if line.startswith("Requires-Dist: ") and "extra ==" not in line
        ]
    installed, pending = set(), [_requirement_name(r) for r in declared]
    while pending:
        name = pending.pop()
        if name not in installed:
            installed.add(name)
            requires = metadata.requires(name) or []
            pending += [_requirement_name(r) for r in requires if "extra ==" not in r]
    providers = metadata.packages_distributions()
    missing = {
        module: providers.get(module)
        for module in third_party
        if not {_requirement_name(d) for d in providers.get(module, [])} & installed
    }
    assert missing == {}
    assert {"pulumi_aws", "jinja2", "yaml", "boto3"} <= third_party


# Every path-valued constant of every module names a file or folder the installed package has.
_DATA_PATHS = """
import importlib, pathlib, pkgutil, sys
site = pathlib.Path(sys.argv[1]).resolve()
seen = {}
for top in ("checks", "policies", "reports", "scripts", "safeguard"):
    package = importlib.import_module(top)
    for info in pkgutil.walk_packages(package.__path__, top + "."):
        if info.name.rsplit(".", 1)[-1] == "__main__":
            continue  # running it would start the command or the policy pack
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, pathlib.Path) and value.is_absolute():
                seen[f"{info.name}.{name}"] = value
inside = {k: str(v.relative_to(site)) for k, v in seen.items() if v.is_relative_to(site)}
missing = sorted(k for k, v in seen.items() if v.is_relative_to(site) and not v.exists())
print(json.dumps({"inside": inside, "missing": missing}))
""".replace("import importlib", "import json, importlib")


def test_every_data_path_the_code_names_exists_in_the_installed_package(venv, tmp_path):
    python = venv / "bin" / "python"
    site = _run([str(python), "-c", "import checks, pathlib; print(pathlib.Path("
                 "checks.__file__).parents[1])"], cwd=tmp_path).stdout.strip()  # fmt: skip
    proc = _run([str(python), "-c", _DATA_PATHS, site], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    found = json.loads(proc.stdout.splitlines()[-1])
    assert found["missing"] == sorted(CHECKOUT_PATHS)
    # The data files the code reads, each found by its module constant in the installed tree.
    assert {
        "checks.controls.CONTROLS_FILE": "checks/controls.yaml",
        "checks.config_pack.PACK_FILE": "checks/config_pack.yaml",
        "checks.sources.property_names.TABLE_FILE": "checks/sources/pulumi_aws_properties.json.gz",
        "policies.framework.FRAMEWORK_FILE": "policies/hipaa_framework.yaml",
        "policies.profiles.PROFILES_DIR": "policies/profiles",
        "policies.threats.THREATS_FILE": "policies/threats.yaml",
        "reports.html.TEMPLATES": "reports/templates",
    }.items() <= found["inside"].items()


def test_the_installed_code_is_the_wheel_not_the_checkout(venv, tmp_path):
    python = venv / "bin" / "python"
    proc = _run(
        [str(python), "-c", "import checks, policies, reports, scripts.cli, safeguard; "
         "print('\\n'.join(m.__file__ for m in (checks, policies, reports, scripts, safeguard)))"],
        cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    locations = [Path(p).resolve() for p in proc.stdout.split()]
    assert len(locations) == 5
    assert all(p.is_relative_to(venv.resolve()) for p in locations), locations
    version = _run([str(python), "-m", "safeguard", "--version"], cwd=tmp_path)
    assert (version.returncode, version.stdout.strip()) == (0, f"safeguard {VERSION}")
    entry = _run([str(venv / "bin" / "safeguard"), "--version"], cwd=tmp_path)
    assert (entry.returncode, entry.stdout.strip()) == (0, f"safeguard {VERSION}")


# The scan as the entry point runs it, with an audit hook noting every file the process opens.
_SCAN_WATCHING_OPENS = """
import json, sys
opened = []
def watch(event, args):
    if event == "open" and isinstance(args[0], str):
        opened.append(args[0])
sys.addaudithook(watch)
from scripts.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "opened": sorted(set(opened))}))
"""


def test_the_installed_command_scans_a_program_from_another_folder(venv, tmp_path):
    program = tmp_path / "service"
    shutil.copytree(SAMPLE, program)
    work = tmp_path / "elsewhere"
    work.mkdir()
    proc = _run(
        [str(venv / "bin" / "python"), "-c", _SCAN_WATCHING_OPENS, "scan", str(program),
         "--format", "json,html", "--out", "reports", "--quiet"],
        cwd=work,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.splitlines()[-1])
    assert result["code"] == 1  # the sample's bucket fails checks: exit 1, as documented
    opened = [(work / p).resolve() for p in result["opened"]]  # relative ones from `work`
    checkout = [
        p for p in opened if p.is_relative_to(REPO) and not p.is_relative_to(REPO / ".venv")
    ]
    assert checkout == []
    out = work / "reports"
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.json",
        "safeguard-report.html",
        "safeguard-scan.json",
    ]
    doc = json.loads((out / "safeguard-scan.json").read_text())
    assert doc["tool"]["name"] == "hipaa-safeguard"
    assert doc["tool"]["version"] == VERSION
    assert doc["source"]["project"] == "one-bucket"
    assert doc["summary"]["findings"] == {
        "FAIL": 5, "NOT_APPLICABLE": 1, "NOT_EVALUATED": 0, "PASS": 5, "WAIVED": 0
    }  # fmt: skip
    failed = sorted(f["check_id"] for f in doc["findings"] if f["status"] == "FAIL")
    assert failed == [
        "s3_bucket_access_logging",
        "s3_bucket_data_events_logged",
        "s3_bucket_lifecycle_or_replication",
        "s3_bucket_sse_kms",
        "s3_bucket_tls_only",
    ]
    html = (out / "safeguard-report.html").read_text(encoding="utf-8")
    assert "s3_bucket_sse_kms" in html
    # The stylesheet and script are package data, inlined into the report.
    css = (REPO / "reports" / "templates" / "report.css").read_text(encoding="utf-8")
    assert css.splitlines()[0] in html


def test_the_container_definition_is_pinned_runs_unprivileged_and_ships_the_packages():
    """No Docker daemon here: the Dockerfile is checked for what the image promises — a base
    pinned to an exact Python release, the wheel installed under requirements.lock, a
    non-root user, `safeguard` as the entry point, a build context holding the packages."""
    lines = [
        line.strip()
        for line in (REPO / "Dockerfile").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    bases = [line.split()[1] for line in lines if line.startswith("FROM ")]
    assert bases == ["python:3.11.7-slim-bookworm"] * 2
    required = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    assert required == ">=3.11"
    install = " ".join(lines[lines.index(next(x for x in lines if "pip install" in x)) :][:3])
    assert "--constraint /tmp/requirements.lock /tmp/wheels/hipaa_safeguard-*.whl" in install
    assert [x for x in lines if x.startswith("USER ")] == ["USER safeguard"]
    assert lines.index("USER safeguard") > max(i for i, x in enumerate(lines) if "RUN " in x)
    assert lines[-2:] == ['ENTRYPOINT ["safeguard"]', 'CMD ["--help"]']
    copied = {x.split()[1] for x in lines if x.startswith("COPY ") and "--from" not in x}
    assert copied == {"pyproject.toml", "requirements.lock", *PACKAGES}
    ignore = (REPO / ".dockerignore").read_text().splitlines()
    assert ignore[ignore.index("*") :][:10] == [
        "*", "!pyproject.toml", "!README.md", "!requirements.lock",
        *(f"!{p}/" for p in PACKAGES), "**/__pycache__",
    ]  # fmt: skip
