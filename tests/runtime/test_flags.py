"""``tf.flags`` and ``tf.app.run`` against TF 2.21's flags (recorded by
``tests/fixtures/tf_flags/generate.py``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import runtime as tf
from runtime import flags

RECORDED = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "tf_flags" / "cases.json").read_text()
)


def defined() -> flags.FlagValues:
    values = flags.FlagValues()
    for function, args, kwargs in RECORDED["definitions"]:
        getattr(flags, function)(*args, flag_values=values, **kwargs)
    return values


@pytest.mark.parametrize("name", sorted(RECORDED["cases"]))
def test_parsing_matches_tf(name):
    case = RECORDED["cases"][name]
    values = defined()
    if "error" in case:
        with pytest.raises(getattr(flags, case["error"])) as caught:
            values(case["argv"])
        assert str(caught.value).startswith(case["message"].split(". Did you mean")[0])
        return
    assert values(case["argv"]) == case["rest"]
    assert {key: values[key].value for key in case["values"]} == case["values"]


def test_tf_namespaces_share_one_flags_module():
    assert tf.flags is tf.app.flags is tf.compat.v1.flags is flags
    assert tf.flags.FLAGS is tf.app.flags.FLAGS


def test_reading_a_flag_first_parses_sys_argv_and_skips_unknown_arguments(monkeypatch):
    values = defined()
    monkeypatch.setattr(sys, "argv", ["kernel", "-f", "/tmp/kernel.json", "--steps=7"])
    assert values.steps == 7 and values.is_parsed()
    with pytest.raises(flags.UnrecognizedFlagError):  # an explicit parse stays strict
        values(sys.argv)


def test_defining_a_flag_twice_is_an_error():
    values = defined()
    with pytest.raises(flags.DuplicateFlagError, match="'name' is defined twice"):
        flags.DEFINE_string("name", "x", "again", flag_values=values)


def test_assignment_validators_and_required_flags():
    values = defined()
    flags.register_validator("steps", lambda n: n % 2 == 0, "must be even", values)
    values(["p", "--steps=4"])
    values.steps = 6
    with pytest.raises(flags.IllegalFlagValueError, match="--steps=5: must be even"):
        values.steps = 5
    required = flags.FlagValues()
    flags.DEFINE_string("data", None, "data", flag_values=required)
    flags.mark_flag_as_required("data", required)
    with pytest.raises(flags.IllegalFlagValueError, match="must have a value other than None"):
        required(["p"])
    assert required(["p", "--data=d"]) == ["p"] and required.data == "d"


def test_mutually_exclusive_flags():
    values = flags.FlagValues()
    flags.DEFINE_string("a", None, "a", flag_values=values)
    flags.DEFINE_string("b", None, "b", flag_values=values)
    flags.mark_flags_as_mutual_exclusive(["a", "b"], flag_values=values)
    values(["p", "--a=1"])
    with pytest.raises(flags.IllegalFlagValueError, match="at most one of"):
        values(["p", "--a=1", "--b=2"])


def test_enum_class_alias_and_defaults():
    import enum

    class Color(enum.Enum):
        RED = 1
        BLUE = 2

    values = flags.FlagValues()
    holder = flags.DEFINE_enum_class("color", "red", Color, "c", flag_values=values)
    flags.DEFINE_alias("colour", "color", flag_values=values)
    assert holder.value is Color.RED
    values(["p", "--colour=BLUE"])
    assert values.color is Color.BLUE
    flags.set_default(holder, "blue")
    values.unparse_flags()
    assert holder.value is Color.BLUE and values.get_flag_value("nosuch", 3) == 3


def test_app_run_parses_flags_and_exits_with_mains_result(monkeypatch):
    monkeypatch.setattr(flags, "FLAGS", defined())
    seen = []

    def main(argv):
        seen.append((argv, flags.FLAGS.steps))
        return 3

    with pytest.raises(SystemExit) as done:
        tf.app.run(main, argv=["prog", "--steps=2", "in.txt"])
    assert done.value.code == 3 and seen == [(["prog", "in.txt"], 2)]


def test_app_run_passes_arguments_that_name_no_flag_on_to_main(monkeypatch):
    # TF 2.21's tf.app.run parses known flags only: main gets the rest.
    monkeypatch.setattr(flags, "FLAGS", defined())
    seen = []

    def main(argv):
        seen.append((argv, flags.FLAGS.steps))

    with pytest.raises(SystemExit) as done:
        tf.app.run(main, argv=["prog", "--unknown=3", "--steps=4"])
    assert done.value.code is None and seen == [(["prog", "--unknown=3"], 4)]
    with pytest.raises(flags.UnrecognizedFlagError):  # an explicit parse stays strict
        flags.FLAGS(["prog", "--unknown=3"])
