"""Honest statuses: each rule of policies/safeguards.py at its boundary, the whole framework
judged from a program run, and the specification -> check links each with its reason."""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

import pytest

from checks.errors import InputError
from checks.library import build_registry
from policies.framework import CheckLink, Framework, Specification, lint, load_framework
from policies.safeguards import (
    DEPLOYED_KINDS,
    STATUS_MEANINGS,
    Evidence,
    judge,
)

REQUIRED = Specification(
    "164.312(b)", "technical", "Audit controls", "Audit controls", "standard", "required",
    ("automated",),
)  # fmt: skip
ADDRESSABLE = dataclasses.replace(
    REQUIRED, citation="164.312(a)(2)(iv)", requirement="addressable", title="Encryption"
)
NEEDS_PERSON = dataclasses.replace(REQUIRED, evidence=("automated", "attestation"))
PERSON_ONLY = dataclasses.replace(
    REQUIRED, citation="164.308(a)(1)(ii)(C)", evidence=("attestation",)
)
INHERITED = dataclasses.replace(
    REQUIRED, citation="164.310(a)(1)", evidence=("inherited", "attestation")
)


def ev(fail=0, ok=0, unknown=0, waived=0, na=0, **kw) -> Evidence:
    results = Counter(FAIL=fail, PASS=ok, NOT_EVALUATED=unknown, WAIVED=waived, NOT_APPLICABLE=na)
    return Evidence(results=results, **kw)


DEPLOYED = {"deployed": True}


@pytest.mark.parametrize(
    ("spec", "evidence", "expected"),
    [
        # 3. one failing check is enough, whatever passes beside it
        (
            REQUIRED,
            ev(fail=1, ok=9, **DEPLOYED),
            ("not_implemented", "1 automated finding(s) fail"),
        ),
        (REQUIRED, ev(fail=2, **DEPLOYED), ("not_implemented", "2 automated finding(s) fail")),
        # 7. deployed evidence, all passing: implemented
        (REQUIRED, ev(ok=1, **DEPLOYED), ("implemented", "automated evidence passes")),
        # a waived finding counts as passing evidence; not-applicable ones are not evidence
        (REQUIRED, ev(waived=1, **DEPLOYED), ("implemented", "automated evidence passes")),
        (
            REQUIRED,
            ev(na=3, **DEPLOYED),
            ("not_assessed", "no automated evidence and no current attestation"),
        ),
        # 7. caveats make it partial
        (
            REQUIRED,
            ev(ok=1, unknown=1, **DEPLOYED),
            (
                "partially_implemented",
                "automated evidence passes; 1 automated finding(s) could not be evaluated",
            ),
        ),
        (
            REQUIRED,
            ev(ok=1, not_run=1, **DEPLOYED),
            ("partially_implemented", "automated evidence passes; 1 linked check(s) did not run"),
        ),
        (
            NEEDS_PERSON,
            ev(ok=1, **DEPLOYED),
            (
                "partially_implemented",
                "automated evidence passes; the attestation it also needs is missing or expired",
            ),
        ),
        (
            NEEDS_PERSON,
            ev(ok=1, attested=True, **DEPLOYED),
            ("implemented", "automated evidence passes and is attested"),
        ),
        # 6. intended state: designed at most, caveats kept in the reason
        (
            REQUIRED,
            ev(ok=1),
            (
                "designed",
                "intended state only, nothing deployed shows it: automated evidence passes",
            ),
        ),
        (
            NEEDS_PERSON,
            ev(ok=1, attested=True, decided=True),
            (
                "designed",
                "intended state only, nothing deployed shows it: automated evidence passes and "
                "is attested",
            ),
        ),
        (
            REQUIRED,
            ev(ok=2, unknown=1, not_run=3),
            (
                "designed",
                "intended state only, nothing deployed shows it: automated evidence passes; "
                "1 automated finding(s) could not be evaluated; 3 linked check(s) did not run",
            ),
        ),
        # 5. nothing passing
        (
            REQUIRED,
            ev(unknown=2, **DEPLOYED),
            ("not_assessed", "only unknown automated results and no current attestation"),
        ),
        (
            REQUIRED,
            ev(not_run=2, attested=True, **DEPLOYED),
            ("not_assessed", "no automated evidence (2 linked check(s) did not run)"),
        ),
        (
            NEEDS_PERSON,
            ev(attested=True, **DEPLOYED),
            ("implemented", "attested by a named person"),
        ),
        (
            NEEDS_PERSON,
            ev(attested=True, not_run=1, **DEPLOYED),
            ("partially_implemented", "attested by a named person; 1 linked check(s) did not run"),
        ),
        (
            NEEDS_PERSON,
            ev(attested=True),
            (
                "designed",
                "intended state only, nothing deployed shows it: attested by a named person",
            ),
        ),  # fmt: skip
        # a specification no API shows is a person's word: implemented on a deployed run, and
        # designed at most on intended state (a program run never says implemented)
        (PERSON_ONLY, ev(attested=True, **DEPLOYED), ("implemented", "attested by a named person")),
        (
            PERSON_ONLY,
            ev(attested=True),
            (
                "designed",
                "intended state only, nothing deployed shows it: attested by a named person",
            ),
        ),
        (PERSON_ONLY, ev(), ("not_assessed", "no automated evidence and no current attestation")),
        # 4. inherited
        (
            INHERITED,
            ev(attested=True),
            ("inherited", "met by AWS under the BAA; the customer's side is attested"),
        ),
        (
            INHERITED,
            ev(**DEPLOYED),
            ("not_assessed", "inherited from AWS, but nobody has attested the customer's side"),
        ),
    ],
)
def test_each_status_rule_at_its_boundary(spec, evidence, expected):
    assert judge(spec, evidence) == expected


def test_an_addressable_specification_without_a_decision_says_so_whatever_passes():
    status, reason = judge(ADDRESSABLE, ev(ok=4, fail=1, unknown=2, not_run=3, **DEPLOYED))
    assert status == "decision_missing"
    assert reason == (
        "no current Addressable decision or attestation is documented (164.306(d)(3)); "
        "automated evidence: 1 fail, 4 pass, 2 unknown, 3 linked check(s) did not run"
    )
    assert judge(ADDRESSABLE, ev(ok=1, waived=1))[1].endswith("0 fail, 2 pass, 0 unknown")
    # Once decided it is judged on its evidence like any other.
    assert judge(ADDRESSABLE, ev(ok=1, decided=True, **DEPLOYED))[0] == "implemented"
    assert judge(ADDRESSABLE, ev(fail=1, decided=True, **DEPLOYED))[0] == "not_implemented"


@pytest.mark.parametrize(
    ("decision", "expected"),
    [
        ("not_applicable", ("not_applicable", "documented as not applicable")),
        (
            "not_reasonable_and_appropriate",
            (
                "not_reasonable_and_appropriate",
                "documented as not reasonable and appropriate (164.306(d)(3))",
            ),
        ),
        (
            "alternative",
            ("alternative_implemented", "an equivalent alternative measure is documented"),
        ),
    ],
)
def test_a_documented_decision_decides_before_any_evidence(decision, expected):
    assert judge(ADDRESSABLE, ev(fail=3, decision=decision, decided=True)) == expected


def test_only_state_and_live_sources_are_deployed():
    assert frozenset({"state", "aws"}) == DEPLOYED_KINDS


# -- the whole framework, judged from a program run -----------------------------------------


@pytest.fixture(scope="module")
def framework() -> Framework:
    return load_framework()


def _best_case(spec: Specification, deployed: bool) -> tuple[str, str]:
    """The best a run can show: every linked check passes, everything attested and decided."""
    passes = 3 if spec.links else 0  # a specification with no linked check has no results
    evidence = ev(ok=passes, attested=True, decided=True, decision="implemented", deployed=deployed)
    return judge(spec, evidence)


def test_a_program_run_never_says_implemented_even_when_everything_is_attested(framework):
    statuses = {s.citation: _best_case(s, deployed=False)[0] for s in framework.specifications}
    inherited = {s.citation for s in framework.specifications if "inherited" in s.evidence}
    assert "implemented" not in statuses.values()
    assert {c for c, st in statuses.items() if st == "inherited"} <= inherited
    assert {st for c, st in statuses.items() if c not in inherited} == {"designed"}
    assert statuses["164.312(b)"] == statuses["164.312(d)"] == "designed"


def test_without_any_attestation_a_program_run_says_implemented_nowhere(framework):
    for spec in framework.specifications:
        status = judge(spec, ev(ok=5))[0]
        assert status != "implemented", spec.citation
        if spec.addressable:
            assert status == "decision_missing", spec.citation


def test_the_same_best_case_read_from_a_state_file_is_implemented(framework):
    statuses = Counter(_best_case(s, deployed=True)[0] for s in framework.specifications)
    # 164.310(d)(2)(iii) is inherited too, but its own linked check passes: implemented.
    assert statuses == {"implemented": 60, "inherited": 8}


def test_every_status_a_rule_can_give_is_explained(framework):
    seen = {judge(s, e)[0] for s in framework.specifications for e in (ev(), ev(ok=1), ev(fail=1))}
    assert seen <= set(STATUS_MEANINGS)
    assert all(len(m) > 20 for m in STATUS_MEANINGS.values())
    assert list(STATUS_MEANINGS)[:2] == ["implemented", "designed"]


# -- specification -> check links --------------------------------------------------------


def test_every_link_names_a_check_and_says_why(framework):
    library = build_registry()
    assert lint(framework, library) == []
    known = {c.id for c in library}
    links = [(s.citation, x) for s in framework.specifications for x in s.links]
    assert len(links) == 236
    for citation, link in links:
        assert link.check_id in known, (citation, link.check_id)
        assert len(link.why.split()) >= 4, (citation, link.check_id)
    assert len(framework.not_evidence) == 7


def _ids(framework: Framework, citation: str) -> set[str]:
    spec = framework.get(citation)
    assert spec is not None
    return {x.check_id for x in spec.links}


def test_links_an_auditor_would_challenge_are_gone(framework):
    # Isolating clearinghouse functions and risk management: no configuration check shows them.
    assert _ids(framework, "164.308(a)(4)(ii)(A)") == set()
    assert _ids(framework, "164.308(a)(1)(ii)(B)") == set()
    assert framework.get("164.308(a)(4)(ii)(A)").evidence == ("attestation",)
    # Encryption checks evidence encryption, not integrity or a group health plan.
    assert "s3_bucket_sse_kms" not in _ids(framework, "164.312(c)(2)")
    assert _ids(framework, "164.314(b)(2)(i)") == set()
    # Audit controls rest on the trail.
    assert {"cloudtrail_enabled_multi_region", "cloudtrail_multi_region"} <= _ids(
        framework, "164.312(b)"
    )
    assert "ec2_imdsv2_required" in _ids(framework, "164.312(a)(1)")


def _framework(links: tuple[CheckLink, ...], not_evidence: tuple[CheckLink, ...] = ()):
    return Framework("t", (dataclasses.replace(REQUIRED, links=links),), not_evidence)


def test_lint_names_each_broken_link():
    library = [c for c in build_registry() if c.id in ("rds_multi_az", "rds_tls_enforced")]
    library = [dataclasses.replace(c, citations=("164.312(b)",)) for c in library]
    bad = _framework(
        (
            CheckLink("rds_multi_az", "the database survives an AZ loss"),
            CheckLink("rds_multi_az", "twice"),
            CheckLink("no_such_check", "a reason"),
            CheckLink("rds_tls_enforced", "  "),
        ),
        (CheckLink("rds_multi_az", "listed both ways"), CheckLink("ghost", "")),
    )
    assert lint(bad, library) == [
        "164.312(b) links rds_multi_az twice",
        "164.312(b) links no_such_check, which is not a check",
        "164.312(b) links rds_tls_enforced without a reason",
        "not_evidence lists rds_multi_az, which a specification links",
        "not_evidence lists ghost, which is not a check",
        "not_evidence lists ghost without a reason",
    ]
    spare = _framework((CheckLink("rds_multi_az", "a reason"),))
    assert lint(spare, library) == ["check rds_tls_enforced is linked to no specification"]
    person = Framework(
        "t", (dataclasses.replace(PERSON_ONLY, links=(CheckLink("rds_multi_az", "r"),)),)
    )
    assert "164.308(a)(1)(ii)(C) links checks but its evidence is not automated" in lint(
        person, library[:1]
    )


def test_a_link_without_a_reason_is_refused_when_the_file_is_read(tmp_path: Path):
    path = tmp_path / "f.yaml"
    path.write_text(
        'version: "x"\nspecifications:\n  - citation: "164.312(b)"\n    safeguard: technical\n'
        "    standard: Audit controls\n    title: Audit controls\n    kind: standard\n"
        "    requirement: required\n    evidence: [automated]\n"
        "    checks:\n      - {id: cloudtrail_multi_region}\n"
    )
    with pytest.raises(InputError, match=r"line 11: a link needs an 'id' and a 'why'"):
        load_framework.__wrapped__(path)


def test_a_framework_without_links_still_maps_by_citation():
    from policies.framework import checks_by_citation

    library = [c for c in build_registry() if c.id == "rds_tls_enforced"]
    plain = Framework("old", (dataclasses.replace(REQUIRED, citation="164.312(e)(1)"),))
    assert plain.curated is False
    assert [c.id for c in checks_by_citation(plain, library)["164.312(e)(1)"]] == [
        "rds_tls_enforced"
    ]
    curated = _framework((CheckLink("rds_tls_enforced", "refuses connections without TLS"),))
    assert curated.curated is True
    assert [c.id for c in checks_by_citation(curated, library)["164.312(b)"]] == [
        "rds_tls_enforced"
    ]
