"""A large run is encoded once: the JSON record is written as it is rendered, and the run's
SHA-256 and assessment id come from the same encoding. Every path gives the bytes and digests
of the one definition (`canonical_json`, `render_json`)."""

from __future__ import annotations

import hashlib
import json
import random

import pytest

from policies import run_identity
from policies.history import HistoryStore
from policies.run_identity import (
    DERIVED_KEYS,
    assessment_id,
    canonical_json,
    digest_pinned,
    document_sha256,
)
from reports.json_render import render_json, write_json
from tests.unit.test_report_formats import pipeline_document

# Characters the two JSON encodings treat differently (non-ASCII, DEL, an astral character,
# a line separator) and the ones both escape.
_CHARS = ["a", "é", "\x7f", "\u2028", "\U0001f600", '"', "\\", "\n", "z", "risks", "trend"]


def _text(rnd: random.Random) -> str:
    return "".join(rnd.choice(_CHARS) for _ in range(rnd.randint(0, 4)))


def _value(rnd: random.Random, depth: int):
    roll = rnd.random()
    if depth > 3 or roll < 0.4:
        return rnd.choice([_text(rnd), 1, 2.5, 1e16, None, True, -0.0, 10**20])
    if roll < 0.7:
        return {_text(rnd): _value(rnd, depth + 1) for _ in range(rnd.randint(0, 4))}
    members = [_value(rnd, depth + 1) for _ in range(rnd.randint(0, 4))]
    return members if rnd.random() < 0.8 else tuple(members)


def _documents():
    rnd = random.Random(13)
    made = [{_text(rnd): _value(rnd, 1) for _ in range(rnd.randint(0, 6))} for _ in range(400)]
    return [
        {},
        {"proposal": 1, "a": 2},  # a derived section first in no order, last in this one
        {"risks": [1], "z": {"b": [], "a": {}}},
        {"a": {"x": {5: 6}}},  # a non-string key below the outline
        {"a": {1: "x", 2: "y"}},  # a non-string key in the outline
        *made,
    ]


def _reference(document) -> tuple[str, str]:
    observed = {k: v for k, v in document.items() if k not in DERIVED_KEYS}
    return (
        hashlib.sha256(canonical_json(document)).hexdigest(),
        hashlib.sha256(canonical_json(observed)).hexdigest(),
    )


def test_the_digests_are_those_of_the_canonical_json():
    for document in _documents():
        whole, observed = _reference(document)
        assert document_sha256(document) == whole
        assert assessment_id({**document, "generated_at": "2026-01-02T03:04:05Z"}).startswith(
            "SA-20260102T030405Z-"
        )
        assert run_identity._digests(document) == (whole, observed), document


def test_the_written_record_is_the_rendered_one_and_feeds_the_same_digests(tmp_path):
    path = tmp_path / "safeguard-scan.json"
    offered = 0
    for document in _documents():
        with digest_pinned(document):
            write_json(document, path)
            assert path.read_text(encoding="utf-8") == render_json(document)
            pinned = run_identity._PINNED[id(document)][1]
            if pinned is not None:  # not for an empty one, nor one with a non-string key
                offered += 1
                assert pinned == _reference(document)
            assert document_sha256(document) == _reference(document)[0]
        assert run_identity._PINNED == {}
    assert offered > 300  # of 405 (one in seven random documents is empty)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["safeguard-scan.json"]  # no .tmp


def test_a_document_the_renderer_cannot_vouch_for_is_digested_the_usual_way(tmp_path):
    document = {"a": {1: "x", 2: "y"}, "b": "é"}  # int keys: json sorts them its own way
    with digest_pinned(document):
        write_json(document, tmp_path / "r.json")
        assert run_identity._PINNED[id(document)][1] is None  # nothing offered
        assert document_sha256(document) == _reference(document)[0]


def test_a_pinned_document_is_encoded_once(monkeypatch):
    document = {"findings": [{"id": i} for i in range(3)], "risks": []}
    calls = []
    real = run_identity._digests
    monkeypatch.setattr(run_identity, "_digests", lambda d: calls.append(1) or real(d))
    with digest_pinned(document):
        first = document_sha256(document)
        assert assessment_id(document).endswith(_reference(document)[1][:8])
        assert document_sha256(document) == first
    assert calls == [1]
    document_sha256(document)  # unpinned: computed afresh
    assert calls == [1, 1]


def test_a_write_that_fails_leaves_no_half_record(tmp_path):
    path = tmp_path / "safeguard-scan.json"
    path.write_text("the earlier record\n")
    with pytest.raises(TypeError):
        write_json({"a": 1, "b": [object()]}, path)
    assert path.read_text() == "the earlier record\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["safeguard-scan.json"]


def test_the_history_stores_the_same_row_given_the_record(tmp_path):
    """`record_run(text, document=record)` (the scan's own record) stores what reading the
    text back would: the digest, the assessment id, the findings."""
    text = render_json(pipeline_document())
    rows = []
    for given in (None, json.loads(text)):
        with HistoryStore.open(tmp_path / f"h{len(rows)}.sqlite") as store:
            summary = store.record_run(text, command="scan", document=given)
            rows.append(
                (
                    summary.document_sha256,
                    summary.assessment_id,
                    summary.counts,
                    store.load_run(summary.run_id).document(),
                )
            )
    assert rows[0] == rows[1]


def test_a_written_record_is_copied_in_from_its_file_and_comes_back_as_text(tmp_path):
    """A large run's record is not read back to be stored: its file's bytes are copied into
    the history in pieces, and the stored run reads back as the same text, and parses."""
    record = pipeline_document()
    written = tmp_path / "safeguard-scan.json"
    write_json(record, written)
    text = written.read_text(encoding="utf-8")
    with HistoryStore.open(tmp_path / "h.sqlite") as store:
        from_file = store.record_run(written, command="scan", document=record)
        from_text = store.record_run(text, command="scan", document=record)
        stored = store.load_run(from_file.run_id)
        assert stored.document_text == text == store.load_run(from_text.run_id).document_text
        assert stored.document() == json.loads(text)
        assert from_file.document_sha256 == from_text.document_sha256
        assert store.integrity_problems() == []
        with pytest.raises(ValueError, match="needs the record it holds"):
            store.record_run(written, command="scan")


def test_a_record_file_that_changes_while_it_is_copied_is_refused(tmp_path, monkeypatch):
    from policies import history

    record = pipeline_document()
    written = tmp_path / "safeguard-scan.json"
    write_json(record, written)
    real_size = written.stat().st_size
    insert = history._insert_run
    for wrong in (real_size - 10, real_size + 10):  # the room made, against the bytes there

        def short(db, row, wrong=wrong):
            insert(db, row)
            db.execute("UPDATE runs SET document = zeroblob(?) WHERE seq = ?", (wrong, row["seq"]))

        monkeypatch.setattr(history, "_insert_run", short)
        with HistoryStore.open(tmp_path / "h.sqlite") as store:
            with pytest.raises(history.InputError, match="changed while it was being recorded"):
                store.record_run(written, command="scan", document=record)
            assert store.list_runs() == []  # nothing of it kept
