"""The payload fixtures shared with the extension's jest tests match the schema.

The jest suite (extension/test/) renders these same files, so a fixture that
drifts from workbench/schema/tfgraph.v2.schema.json would make the two test
suites disagree about what a payload is. Fixtures named ``invalid_*`` are
meant to be rejected.
"""

import json
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "workbench/schema/tfgraph.v2.schema.json").read_text())
FIXTURES = sorted((ROOT / "tests/fixtures/payloads").glob("*.json"))
VALID = [p for p in FIXTURES if not p.name.startswith("invalid_")]
INVALID = [p for p in FIXTURES if p.name.startswith("invalid_")]


def load(path):
    return json.loads(path.read_text())


def test_there_are_fixtures_of_both_kinds():
    assert len(VALID) >= 3
    assert {p.name for p in INVALID} >= {"invalid_malformed.json", "invalid_version1.json"}


def test_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_fixture_matches_schema(path):
    jsonschema.Draft202012Validator(SCHEMA).validate(load(path))


# Why each invalid fixture must be rejected: (where, the validator's message).
REJECTED_BECAUSE = {
    "invalid_malformed.json": (["nodes"], "'op' is a required property"),
    "invalid_version1.json": (["version"], "2 was expected"),
}


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_fixture_is_rejected(path):
    where, reason = REJECTED_BECAUSE[path.name]  # a new invalid fixture must say why
    with pytest.raises(jsonschema.ValidationError, match=reason) as info:
        jsonschema.Draft202012Validator(SCHEMA).validate(load(path))
    assert list(info.value.absolute_path) == where


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_fixture_is_consistent(path):
    """What the schema cannot say: columns of one length, references to real things."""
    payload = load(path)
    nodes, groups = payload["nodes"], payload["groups"]
    flags = {"soft_placed", "auxiliary"}
    for columns in (nodes, groups):
        lengths = {len(column) for key, column in columns.items() if key not in flags}
        assert len(lengths) == 1
    ops, group_count = len(nodes["name"]), len(groups["kind"])
    assert all(-1 <= parent < i for i, parent in enumerate(groups.get("parent", [])))
    assert all(-1 <= g < group_count for g in nodes.get("group", []))
    assert all(-1 <= s < len(payload["scopes"]) for s in nodes.get("scope", []))
    assert all(d < len(payload["devices"]) for d in nodes.get("device", []))
    assert all(t < len(payload["tensor_types"]) for ts in nodes.get("outputs", []) for t in ts)
    inputs = [ref for refs in nodes.get("inputs", []) for ref in refs]
    assert all(
        ref[0] < ops if isinstance(ref, list) else ref < ops
        for ref in inputs
        if not isinstance(ref, str)
    )
    assert set(nodes["op"]) <= set(payload["categories"])
    assert all(g < group_count for g in payload["expanded"])
    assert set(payload["colors"]["device"]) == {d["name"] for d in payload["devices"]}


def test_version1_fixture_differs_only_in_version():
    """So the extension's message can only be about the version."""
    v1 = load(ROOT / "tests/fixtures/payloads/invalid_version1.json")
    v2 = load(ROOT / "tests/fixtures/payloads/two_devices.json")
    assert v1.pop("version") == 1
    v2.pop("version")
    assert v1 == v2
