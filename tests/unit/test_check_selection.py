"""`--checks`/`--skip-checks`, and each check's declared reads (the live audit's collector plan
follows them, so a check must declare every type it reads)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from checks.errors import InputError
from checks.evaluate import run_check
from checks.library import build_registry
from checks.model import Inventory
from checks.selection import select, split_selectors, types_read
from checks.sources.program import scan_program

REPO = Path(__file__).resolve().parents[2]
PROGRAMS = ((REPO, "prod"), (REPO, "dev"), (REPO / "tests" / "guarantee_program", "dev"))


def test_selectors_are_ids_controls_and_patterns():
    registry = build_registry()
    chosen = select(registry, split_selectors(["s3_bucket_sse_kms,iam-01", "rds_*"]), [])
    ids = {c.id for c in chosen}
    assert "s3_bucket_sse_kms" in ids and "iam_root_mfa_enabled" in ids
    assert {c.id for c in registry if c.id.startswith("rds_")} <= ids
    assert all(c.control == "IAM-01" for c in chosen if c.id.startswith("iam_") and c.id in ids
               and c.id != "s3_bucket_sse_kms" and not c.id.startswith("rds_"))  # fmt: skip
    fewer = select(registry, [], ["s3_*"])
    assert len(fewer) == len(registry) - len([c for c in registry if c.id.startswith("s3_")])


@pytest.mark.parametrize(
    ("include", "exclude", "named"),
    [(["s3_bucket_sse_kmz"], [], "--checks 's3_bucket_sse_kmz'"),
     ([], ["nope_*"], "--skip-checks 'nope_*'"),
     (["s3_bucket_sse_kms"], ["s3_*"], "no check is left")],
)  # fmt: skip
def test_a_selector_that_matches_nothing_is_an_error_naming_it(include, exclude, named):
    with pytest.raises(InputError, match=named.replace("*", r"\*")):
        select(build_registry(), include, exclude)


def test_the_types_a_selection_reads_include_joins_and_account_facts():
    chosen = select(build_registry(), ["s3_bucket_policy_not_public", "iam_root_mfa_enabled"], [])
    needed = types_read(chosen)
    assert "aws:s3/bucket:Bucket" in needed
    assert "aws:iam/accountSummary:AccountSummary" in needed
    assert "aws:rds/instance:Instance" not in needed


class _Recorder(Inventory):
    """An inventory that notes every type a check asks for, by any road."""

    asked: set[str]

    def of_type(self, *types: str):
        self.asked.update(types)
        return super().of_type(*types)

    def require(self, types):
        types = tuple(types)
        self.asked.update(types)
        return super().require(types)

    def get(self, ref, type_=None):
        found = super().get(ref, type_)
        if type_ is not None:
            self.asked.add(type_)
        elif found is not None:
            self.asked.add(found.type)
        return found


def test_every_check_declares_each_type_it_reads():
    with ThreadPoolExecutor(len(PROGRAMS)) as pool:
        scans = list(pool.map(lambda program: scan_program(*program), PROGRAMS))
    undeclared: dict[str, set[str]] = {}
    for check in build_registry():
        for scan in scans:
            inv = _Recorder(scan.resources)
            inv.asked = set()
            subjects = [r for r in inv if r.type in check.resource_types]
            for subject in subjects if check.scope == "resource" else [None]:
                run_check(check, inv, subject)
            missing = inv.asked - check.types_read
            if missing:
                undeclared.setdefault(check.id, set()).update(missing)
    assert not undeclared, f"declare these in the checks' reads=: {undeclared}"
