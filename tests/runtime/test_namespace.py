"""``import runtime as tf`` is TF1's namespace, checked against TF 2.21's own name lists.

``tests/fixtures/tf_names/compat_v1.json`` and ``compat_v2.json`` list every public name
of ``tf.compat.v1`` and ``tf.compat.v2`` and their submodules (recorded by
``generate_names.py``); :mod:`tests.runtime.tf_names` compares the runtime with them.
"""

from __future__ import annotations

import functools
import inspect

import pytest

import runtime as tf
from tests.runtime import tf_names

V1, V2 = tf_names.tf_names("v1"), tf_names.tf_names("v2")


@functools.cache
def _coverage() -> dict:
    return {row[0]: row for row in tf_names.coverage(tf)}


@pytest.mark.parametrize("path", sorted(V1), ids=lambda path: path or "top")
def test_every_tf1_name_is_here_or_excluded_with_a_reason(path):
    _, _, _, missing = _coverage()[path]
    assert missing == [], f"tf.{path + '.' if path else ''}{{{', '.join(missing)}}} missing"


def test_each_exclusion_names_something_tf_has_that_the_runtime_lacks():
    excluded = {path: set(excluded) for path, _, excluded, _ in _coverage().values()}
    for dotted in tf_names.EXCLUDED:
        path, _, name = dotted.rpartition(".")
        assert name in V1.get(path, {}), f"{dotted}: TF 2.21's tf.compat.v1 has no such name"
        inside = [sub for sub in V1 if f"{sub}.".startswith(f"{dotted}.")]
        if inside:  # a module: stale once every name in it is here
            assert any(excluded[sub] for sub in inside), f"all of {dotted} is here now"
        else:
            assert name in excluded[path], f"{dotted} is here now"


def test_a_name_that_only_raises_counts_as_missing():
    def stub(x):
        """Documented, but only raises."""
        raise NotImplementedError("later")

    class Stub:
        def __init__(self):
            raise RuntimeError("no")

    def real(x):
        if x:
            raise ValueError(x)
        return x

    assert tf_names.is_stub(stub) and tf_names.is_stub(Stub)
    assert not tf_names.is_stub(real) and not tf_names.is_stub(tf.placeholder)
    assert tf_names.is_stub(tf.enable_eager_execution)  # excluded, with its reason


def test_compat_v1_is_the_top_level():
    names = {name for name in dir(tf.compat.v1) if not name.startswith("_")}
    assert names <= set(dir(tf))
    assert all(getattr(tf, name) is getattr(tf.compat.v1, name) for name in names)
    assert tf.compat.v1.compat.v1 is tf.compat.v1 and tf.compat.v2.compat is tf.compat


def _parameters(function) -> list:
    return list(inspect.signature(function).parameters)


# Parameters TF added in TF2's time to the end of TF1 builders (DTensor layouts, index
# policies): a TF1 program never passes them.
_TF2_ERA_PARAMETERS = ("layout", "bad_indices_policy")


def _defined_differently(version: str):
    """``(dotted, runtime object, TF's parameters)`` for each function TF1 and TF2 define
    differently that the runtime's ``version`` namespace has (for TF2, where the runtime
    has a namespace of its own: ``tf.io`` serves both)."""
    namespace = tf if version == "v1" else tf.compat.v2
    for path, names in V2.items():
        module = tf_names.resolve(namespace, path)
        if module is None or (version == "v2" and module is tf_names.resolve(tf, path)):
            continue
        for name, (_kind, shared, *signatures) in names.items():
            if shared is False and signatures and hasattr(module, name):
                expected = signatures[0][version]
                while expected and expected[-1] in _TF2_ERA_PARAMETERS:
                    expected = expected[:-1]
                yield f"{path}.{name}".lstrip("."), getattr(module, name), expected


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_builders_tf1_and_tf2_define_differently_take_their_versions_arguments(version):
    # tf.reduce_sum(x, 1, True, "s", reduction_indices=..., keep_dims=...) in TF1,
    # tf.compat.v2.reduce_sum(x, 1, True, "s") in TF2: same names, same order.
    wrong = [
        f"{dotted}{tuple(_parameters(obj))} for TF's {tuple(expected)}"
        for dotted, obj, expected in _defined_differently(version)
        if callable(obj) and _parameters(obj)[: len(expected)] != expected
    ]
    assert wrong == []


def _implementation_module(value) -> bool:
    name = getattr(value, "__name__", "") if inspect.ismodule(value) else ""
    return bool(name) and not name.startswith("runtime.compat") and name.count(".") != 1


def test_compat_v2_has_only_tf2_names_and_shares_what_tf_shares():
    problems = []
    for path, names in V2.items():
        module = tf_names.resolve(tf.compat.v2, path)
        v1_module = tf_names.resolve(tf, path)
        if module is None or module is v1_module:
            continue  # absent, or one module serving both (tf.io, tf.data ...)
        ours = {name for name in dir(module) if not name.startswith("_")}
        # The modules a namespace module imports to build itself are no names of its own.
        ours -= {name for name in ours if _implementation_module(getattr(module, name))}
        extra = sorted(ours - set(names) - {"v1", "V1_OVERRIDES"})
        if extra:
            problems.append(f"tf.compat.v2.{path or '<top>'} has names TF2 lacks: {extra}")
        for name in sorted(ours & set(names)):
            kind, shared, *_ = names[name]
            theirs = getattr(v1_module, name, None)
            if (
                shared
                and kind != "module"
                and theirs is not None
                and getattr(module, name) is not theirs
            ):
                problems.append(f"{path}.{name}: TF shares it between v1 and v2; here not")
    assert problems == []


def test_tf2_spellings_keep_working_at_their_places():
    assert tf.random.normal is tf.random_normal and tf.math.log is tf.log
    assert tf.compat.v2.reduce_sum is not tf.reduce_sum
    assert tf.compat.v2.nn.dropout is not tf.nn.dropout
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [2, 3])
        assert tf.reduce_sum(x, reduction_indices=1, keep_dims=True).shape == (2, 1)
        assert tf.compat.v2.reduce_sum(x, 1, True).shape == (2, 1)
        with pytest.raises(TypeError):
            tf.compat.v2.reduce_sum(x, keep_dims=True)
