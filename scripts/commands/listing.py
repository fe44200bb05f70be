"""`safeguard checks` and `safeguard framework`: what the library checks, and how each Security
Rule specification is evidenced."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction, epilog: str) -> None:
    sub.add_parser(
        "checks", help="list the checks: id, severity, control, AWS Config rule, citations"
    ).set_defaults(handler=run_checks)
    sub.add_parser(
        "framework",
        help="show how each Security Rule specification is evidenced (checks, attestation, AWS)",
    ).set_defaults(handler=run_framework)


def run_checks(args: argparse.Namespace) -> int:
    from checks.library import build_registry
    from policies.exit_codes import ExitCode

    rows = [
        (c.id, c.severity.label, c.control, c.scope, c.config_rule or "-", ", ".join(c.citations))
        for c in build_registry()
    ]
    _print_table(
        ("CHECK", "SEVERITY", "CONTROL", "SCOPE", "AWS CONFIG RULE", "HIPAA (45 CFR)"), rows
    )
    print(f"\n{len(rows)} checks")
    return ExitCode.OK


def run_framework(args: argparse.Namespace) -> int:
    from checks.library import build_registry
    from policies.exit_codes import ExitCode
    from policies.framework import checks_by_citation, load_framework

    framework = load_framework()
    mapping = checks_by_citation(framework, build_registry())
    rows = []
    for spec in framework.specifications:
        checks = mapping[spec.citation]
        sources = []
        if "automated" in spec.evidence:
            sources.append(f"{len(checks)} check(s)" if checks else "automated (no check yet)")
        sources += [e for e in spec.evidence if e != "automated"]
        rows.append(
            (spec.citation, spec.requirement[0].upper(), spec.title[:44], " + ".join(sources))
        )
    _print_table(("CITATION", "R/A", "SPECIFICATION", "EVIDENCE"), rows)
    automated = sum(1 for s in framework.specifications if mapping[s.citation])
    attest_only = sum(1 for s in framework.specifications if not mapping[s.citation])
    print(
        f"\n{len(rows)} standards and implementation specifications of 45 CFR 164.308-316: "
        f"{automated} evidenced by automated checks (most also need an attestation), "
        f"{attest_only} by attestation or AWS inheritance only. Nothing here is a claim of "
        "compliance."
    )
    return ExitCode.OK


def _print_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
