"""The source registry: sources by kind, one default, and what a file source records."""

from __future__ import annotations

from pathlib import Path

import pytest

from checks.errors import InputError
from checks.sources.base import DEFAULT_STACK, Collected
from checks.sources.catalog import ProgramSource, build_sources
from checks.sources.registry import FileSource, SourceRegistry, SourceRequest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pulumi"
PREVIEW = FIXTURES / "preview_billing_update.json"
STATE = FIXTURES / "state_v3_billing.json"
REFUSED = "--preview reads a file: PROGRAM_DIR, --config and --secret do not apply"


def _never_loaded(path: Path) -> Collected:
    raise AssertionError(f"{path} was read")


# -- the catalog -------------------------------------------------------------------------------


def test_the_catalog_holds_program_as_default_then_the_live_account_preview_and_state():
    sources = build_sources()
    assert [(s.kind, s.option) for s in sources] == [
        ("program", None),
        ("aws", None),
        ("preview", "--preview"),
        ("state", "--state"),
    ]
    assert isinstance(sources.default, ProgramSource)
    assert sources.default is sources.get("program")
    assert [s.kind for s in sources.file_sources] == ["preview", "state"]


def test_asking_for_an_unknown_kind_names_the_known_ones():
    with pytest.raises(InputError) as err:
        build_sources().get("azure")
    assert str(err.value) == "unknown source 'azure' (known: program, aws, preview, state)"


# -- the registry's own rules ------------------------------------------------------------------


def test_two_sources_of_one_kind_are_refused():
    twice = FileSource("preview", "--plan", "again", _never_loaded)
    with pytest.raises(ValueError, match="source 'preview' registered twice"):
        SourceRegistry([*build_sources(), twice], default="program")


@pytest.mark.parametrize("default", ["program", "preview"])
def test_the_default_source_is_registered_and_takes_no_option(default):
    # `scan` reads the default when no file option is given: it must exist and be optionless.
    sources = list(build_sources().file_sources)
    if default == "preview":
        sources.append(ProgramSource())
    with pytest.raises(ValueError, match=f"the default source '{default}' must be registered"):
        SourceRegistry(sources, default=default)


# -- file sources ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        {"program_dir": Path("stacks")},
        {"config": {"aws:region": "us-west-2"}},
        {"secrets": {"apiToken": "t"}},
    ],
)
def test_a_file_source_refuses_program_options(extra):
    source = FileSource("preview", "--preview", "a plan", _never_loaded)
    with pytest.raises(InputError) as err:
        source.collect(SourceRequest(location=PREVIEW, **extra))
    assert str(err.value) == REFUSED
    with pytest.raises(InputError) as err:
        build_sources().get("preview").collect(SourceRequest(location=PREVIEW, **extra))
    assert str(err.value) == REFUSED


def test_a_file_source_needs_its_file():
    with pytest.raises(InputError, match="^--state: name the file to read$"):
        build_sources().get("state").collect(SourceRequest())


def test_a_file_source_records_what_it_read(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    said: list[str] = []
    collected = (
        build_sources()
        .get("preview")
        .collect(SourceRequest(location=PREVIEW, progress=said.append))
    )
    assert said == [f"reading the preview file {PREVIEW}…"]
    assert collected.kind == "preview"
    assert collected.stack == "dev"  # the file's
    provenance = collected.provenance
    assert {k: provenance[k] for k in ("kind", "file", "project", "stack")} == {
        "kind": "preview",
        "file": str(PREVIEW),
        "project": "billing",
        "stack": "dev",
    }
    assert provenance["excluded"] == [
        {
            "urn": "urn:pulumi:dev::billing::aws:rds/instance:Instance::legacy-billing-db",
            "type": "aws:rds/instance:Instance",
            "reason": "deleted by this update (step 'delete')",
        }
    ]
    assert provenance["notes"][0].startswith("4 unchanged resource(s) are counted but not listed")
    assert collected.graph == {"components": 1, "providers": 1}
    assert collected.home == tmp_path  # policy files of a file scan are looked up from the cwd


def test_the_requested_stack_overrides_the_files():
    collected = build_sources().get("state").collect(SourceRequest(location=STATE, stack="prod"))
    assert (collected.stack, collected.provenance["stack"]) == ("prod", "prod")
    assert (collected.provenance["kind"], collected.provenance["project"]) == ("state", "billing")
    assert collected.graph == {"components": 1, "providers": 2}


def test_stack_or_default_falls_back_to_dev():
    assert DEFAULT_STACK == "dev"
    assert Collected(kind="preview", resources=()).stack_or_default == "dev"
    assert Collected(kind="preview", resources=(), stack="prod").stack_or_default == "prod"
