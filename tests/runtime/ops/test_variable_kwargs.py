"""The variable arguments TF1 code passes: ``custom_getter``, ``caching_device``,
``use_resource``, ``synchronization`` and ``aggregation`` (of ``tf.Variable``,
``get_variable`` and ``variable_scope``), ``tf.enable_resource_variables``, and
``get_variable``'s initializer rules. Outcomes marked (TF 2.21) are TF's."""

from __future__ import annotations

import numpy as np
import pytest

import runtime as tf

v1 = tf.compat.v1
Aggregation, Synchronization = v1.VariableAggregation, v1.VariableSynchronization


def _run(graph, *fetches):
    with v1.Session(graph=graph) as sess:
        sess.run(v1.global_variables_initializer())
        return sess.run(list(fetches))


class TestDistributionProperties:
    def test_defaults(self, graph):
        v = tf.Variable(1.0)
        assert v.aggregation is Aggregation.NONE  # (TF 2.21)
        assert v.synchronization is Synchronization.AUTO  # (TF 2.21)

    def test_values_given_as_numbers_become_the_enums(self, graph):
        assert tf.Variable(1.0, aggregation=1).aggregation is Aggregation.SUM
        assert tf.Variable(1.0, synchronization=2).synchronization is Synchronization.ON_WRITE
        v = v1.get_variable("v", [], aggregation=Aggregation.MEAN)
        assert v.aggregation is Aggregation.MEAN

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"aggregation": "bad"}, "Invalid variable aggregation mode: bad for variable: None"),
            ({"aggregation": 5}, "Invalid variable aggregation mode: 5 for variable: None"),
            ({"aggregation": "sum"}, "Invalid variable aggregation mode: sum for variable: None"),
            (
                {"synchronization": "bad"},
                "Invalid variable synchronization mode: bad for variable: None",
            ),
        ],
    )
    def test_tf_refuses_other_values(self, graph, kwargs, message):
        with pytest.raises(ValueError) as raised:
            tf.Variable(1.0, **kwargs)
        assert str(raised.value) == message  # (TF 2.21)

    def test_get_variable_names_the_variable_it_refuses(self, graph):
        with v1.variable_scope("s"), pytest.raises(ValueError) as raised:
            v1.get_variable("g", [], aggregation="bad")
        assert str(raised.value) == "Invalid variable aggregation mode: bad for variable: s/g"

    def test_an_on_read_variable_is_not_trainable_unless_asked(self, graph):
        counted = v1.get_variable("count", [], synchronization=Synchronization.ON_READ)
        asked = tf.Variable(1.0, synchronization=Synchronization.ON_READ, trainable=True)
        assert not counted.trainable and counted not in v1.trainable_variables()  # (TF 2.21)
        assert asked.trainable and asked in v1.trainable_variables()  # (TF 2.21)


class TestCachingDevice:
    def test_the_read_goes_to_the_caching_device(self, graph):
        v = tf.Variable(1.0, caching_device="/job:w/task:1", name="cv")
        assert v.value().device == "/job:w/task:1" and v.device == ""  # (TF 2.21)
        assert v.value().op.colocation_groups() == [b"loc:@cv/read"]  # (TF 2.21)

    def test_without_one_the_read_stays_with_the_variable(self, graph):
        v = tf.Variable(1.0, name="v")
        assert v.value().op.colocation_groups() == [b"loc:@v"]

    def test_get_variable_and_scopes_pass_it_on(self, graph):
        g = v1.get_variable("g", [], caching_device="/cpu:0")
        with v1.variable_scope("d", caching_device="/cpu:0") as scope:
            with v1.variable_scope("inner"):
                z = v1.get_variable("z", [1])
        assert scope.caching_device == "/cpu:0"
        assert g.value().device == z.value().device == "/device:CPU:0"  # (TF 2.21)
        assert _run(graph, g.value() * 0.0, z)[1].shape == (1,)


class TestResourceVariablesRequested:
    """Asked for, a resource variable is a reference variable here (see README)."""

    def test_use_resource_is_accepted_and_makes_a_reference_variable(self, graph):
        r = v1.get_variable("r", [], use_resource=True)
        s = tf.Variable(2.0, use_resource=True)
        with v1.variable_scope("d", use_resource=True) as scope:
            t = v1.get_variable("t", [])
        assert scope.use_resource is True
        assert [x.dtype for x in (r, s, t)] == [tf.float32._as_ref] * 3
        assert r.op.type == "VariableV2"
        assert _run(graph, s) == [2.0]

    def test_enable_resource_variables_is_accepted(self):
        assert tf.enable_resource_variables is v1.enable_resource_variables
        tf.enable_resource_variables()
        try:
            with tf.Graph().as_default():
                v = tf.Variable(1.0)
            assert v.dtype == tf.float32._as_ref
            assert not tf.resource_variables_enabled()
        finally:
            tf.disable_resource_variables()


class TestCustomGetter:
    def test_the_getter_sees_the_request_with_the_scopes_defaults(self, graph):
        seen = {}

        def spy(getter, **kwargs):
            seen.update(kwargs)
            return getter(**kwargs)

        zeros = v1.zeros_initializer()
        with v1.variable_scope("v", initializer=zeros, caching_device="/cpu:0"):
            v = v1.get_variable("sv", [1], custom_getter=spy)
        assert v.name == "v/sv:0"
        assert seen == {
            "name": "v/sv",
            "shape": [1],
            "dtype": tf.float32,
            "initializer": zeros,
            "regularizer": None,
            "reuse": False,
            "trainable": True,
            "collections": None,
            "caching_device": "/cpu:0",
            "partitioner": None,
            "validate_shape": True,
            "use_resource": None,
            "synchronization": Synchronization.AUTO,
            "aggregation": Aggregation.NONE,
            "constraint": None,
        }  # (TF 2.21)

    def test_constraint_only_for_getters_that_take_it(self, graph):
        def old_style(getter, name, shape=None, dtype=None, initializer=None, regularizer=None,
                      reuse=None, trainable=None, collections=None, caching_device=None,
                      partitioner=None, validate_shape=True, use_resource=None,
                      synchronization=None, aggregation=None):  # fmt: skip
            # Passed on by position, in TF's order.
            return getter(name, shape, dtype, initializer, regularizer, reuse, trainable,
                          collections, caching_device, partitioner, validate_shape, use_resource)  # fmt: skip

        assert v1.get_variable("k", [1], custom_getter=old_style).name == "k:0"  # (TF 2.21)

    def test_scopes_getters_nest_innermost_first(self, graph):
        calls = []

        def outer(getter, name, *args, **kwargs):
            calls.append(("outer", name))
            return getter(name, *args, **kwargs)

        def to_half(getter, name, *args, **kwargs):
            calls.append(("inner", name))
            return tf.cast(getter(name, *args, **kwargs), tf.float16)

        with v1.variable_scope("a", custom_getter=outer):
            with v1.variable_scope("b", custom_getter=to_half), tf.name_scope("ns"):
                w = v1.get_variable("w", [2], initializer=v1.ones_initializer())
        assert calls == [("inner", "a/b/w"), ("outer", "a/b/w")]  # (TF 2.21)
        assert w.name == "Cast:0" and w.dtype == tf.float16  # (TF 2.21: in the root scope)
        assert [v.name for v in v1.global_variables()] == ["a/b/w:0"]
        np.testing.assert_array_equal(_run(graph, w)[0], [1.0, 1.0])

    def test_a_getter_may_return_a_tensor_made_from_the_variable(self, graph):
        def doubled(getter, name, *args, **kwargs):
            return tf.identity(getter(name, *args, **kwargs) * 2.0, name="ema")

        with v1.variable_scope("f", custom_getter=doubled), tf.name_scope("q"):
            e = v1.get_variable("e", [], initializer=v1.ones_initializer())
        assert e.name == "ema:0"  # (TF 2.21)
        assert [op.name for op in graph.get_operations()] == [
            "f/e/Initializer/ones",
            "f/e",
            "f/e/Assign",
            "f/e/read",
            "mul/y",
            "mul",
            "ema",
        ]  # (TF 2.21)
        assert _run(graph, e) == [2.0]

    def test_a_getter_may_rename_and_the_variable_is_shared_by_its_name(self, graph):
        def renamer(getter, name, *args, **kwargs):
            return getter(name + "_renamed", *args, **kwargs)

        with v1.variable_scope("t", custom_getter=renamer):
            first = v1.get_variable("w", [1])
        with v1.variable_scope("t", custom_getter=renamer, reuse=True):
            again = v1.get_variable("w", [1])
        assert first.name == "t/w_renamed:0" and again is first  # (TF 2.21)

    def test_a_reentered_scope_wraps_its_own_getter(self, graph):
        calls = []

        def tagger(tag):
            def getter_(getter, name, *args, **kwargs):
                calls.append(tag)
                return getter(name, *args, **kwargs)

            return getter_

        with v1.variable_scope("c", custom_getter=tagger("own")) as scope:
            pass
        with v1.variable_scope("x", custom_getter=tagger("enclosing")):
            with v1.variable_scope(scope, custom_getter=tagger("new")) as entered:
                v1.get_variable("z", [1])
        assert calls == ["new", "own"]  # (TF 2.21: the enclosing scope's is not called)
        assert entered.custom_getter is not scope.custom_getter

    def test_a_partitioned_variable_is_asked_for_once(self, graph):
        names = []

        def spy(getter, name, *args, **kwargs):
            names.append(name)
            return getter(name, *args, **kwargs)

        x = v1.get_variable(
            "x", [2, 2], partitioner=v1.fixed_size_partitioner(2), custom_getter=spy
        )
        assert names == ["x"] and [v.op.name for v in x] == ["x/part_0", "x/part_1"]

    def test_a_getter_that_is_not_callable_is_refused(self, graph):
        with pytest.raises(ValueError) as raised:
            v1.get_variable("g", [], custom_getter=5)
        assert str(raised.value) == "Passed a custom_getter which is not callable: 5"  # (TF 2.21)

    def test_no_getter_by_default(self, graph):
        scope = v1.get_variable_scope()
        assert (scope.custom_getter, scope.use_resource, scope.caching_device) == (None,) * 3


class TestInitializerRules:
    def test_no_shape_and_no_initializer(self, graph):
        with pytest.raises(ValueError) as raised:
            v1.get_variable("nos")
        assert str(raised.value) == (
            "Variable nos did not get an initializer, so its `shape` argument must be specified."
        )  # (TF 2.21)

    @pytest.mark.parametrize("initializer", [None, v1.zeros_initializer()])
    def test_a_partial_shape_needs_an_initializer_without_arguments(self, graph, initializer):
        with pytest.raises(ValueError, match=r"^The initializer passed is not valid\. It should"):
            v1.get_variable("w", [None, 2], initializer=initializer)  # (TF 2.21)

    def test_an_initializer_without_arguments_needs_no_shape(self, graph):
        a = v1.get_variable("a", initializer=lambda: tf.constant([1.0, 2.0]))
        b = v1.get_variable("b", initializer=lambda *args, **kwargs: tf.constant([3.0]))
        assert (a.shape.as_list(), b.shape.as_list()) == ([2], [1])  # (TF 2.21)

    def test_partition_info_only_for_initializers_that_take_it(self, graph):
        def ones(shape, dtype=None):
            return tf.ones(shape, dtype)

        w = v1.get_variable("w", [2], initializer=ones)
        np.testing.assert_array_equal(_run(graph, w)[0], [1.0, 1.0])

    def test_a_dtype_mismatch_names_the_reference_dtype(self, graph):
        v1.get_variable("v", [2])
        with v1.variable_scope("", reuse=True), pytest.raises(ValueError) as raised:
            v1.get_variable("v", [2], dtype=tf.int32)
        assert str(raised.value) == (
            "Trying to share variable v, but specified dtype int32 and found dtype float32_ref."
        )  # (TF 2.21)
