"""The payload fixtures shared with the extension's jest tests match the schema.

The jest suite (extension/test/) renders these same files, so a fixture that
drifts from workbench/schema/tfgraph.v1.schema.json would make the two test
suites disagree about what a payload is. Fixtures named ``invalid_*`` are
meant to be rejected.
"""

import json
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "workbench/schema/tfgraph.v1.schema.json").read_text())
FIXTURES = sorted((ROOT / "tests/fixtures/payloads").glob("*.json"))
VALID = [p for p in FIXTURES if not p.name.startswith("invalid_")]
INVALID = [p for p in FIXTURES if p.name.startswith("invalid_")]


def load(path):
    return json.loads(path.read_text())


def test_there_are_fixtures_of_both_kinds():
    assert len(VALID) >= 3
    assert {p.name for p in INVALID} >= {"invalid_malformed.json", "invalid_version2.json"}


def test_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_fixture_matches_schema(path):
    jsonschema.Draft202012Validator(SCHEMA).validate(load(path))


# Why each invalid fixture must be rejected: (where, the validator's message).
REJECTED_BECAUSE = {
    "invalid_malformed.json": (["nodes", 2], "'op' is a required property"),
    "invalid_version2.json": (["version"], "1 was expected"),
}


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_fixture_is_rejected(path):
    where, reason = REJECTED_BECAUSE[path.name]  # a new invalid fixture must say why
    with pytest.raises(jsonschema.ValidationError, match=reason) as info:
        jsonschema.Draft202012Validator(SCHEMA).validate(load(path))
    assert list(info.value.absolute_path) == where


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_fixture_is_consistent(path):
    """What the schema cannot say: edges, scopes and colours refer to real things."""
    payload = load(path)
    names = {n["name"] for n in payload["nodes"]}
    scopes = {s["name"] for s in payload["scopes"]}
    devices = {d["name"] for d in payload["devices"]}
    for edge in payload["edges"]:
        assert {edge["source"], edge["target"]} <= names
    for node in payload["nodes"]:
        assert node["scope"] in scopes | {""}
        assert node["assigned_device"] in devices
        assert node["soft_placed"] == (node["requested_device"] != node["assigned_device"])
    for scope in payload["scopes"]:
        assert scope["parent"] in scopes | {""}
        assert scope["op_count"] == sum(
            n["name"].startswith(scope["name"] + "/") for n in payload["nodes"]
        )
    assert set(payload["collapsed"]) <= scopes
    assert set(payload["colors"]["device"]) == devices


def test_version2_fixture_differs_only_in_version():
    """So the extension's message can only be about the version."""
    v2 = load(ROOT / "tests/fixtures/payloads/invalid_version2.json")
    v1 = load(ROOT / "tests/fixtures/payloads/two_devices.json")
    assert v2.pop("version") == 2
    v1.pop("version")
    assert v2 == v1
