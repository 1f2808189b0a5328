"""``variable_scope``/``get_variable`` sharing rules, and the initializers."""

from __future__ import annotations

import numpy as np
import pytest

import runtime as tf
from runtime.ops import init_ops

v1 = tf.compat.v1


def _init_and_run(graph, *fetches):
    with v1.Session(graph=graph) as sess:
        sess.run(v1.global_variables_initializer())
        return sess.run(list(fetches))


class TestSharing:
    def test_reuse_true_returns_the_same_variable(self, graph):
        with v1.variable_scope("dense"):
            w = v1.get_variable("w", [3, 2])
        with v1.variable_scope("dense", reuse=True):
            assert v1.get_variable("w") is w
            assert v1.get_variable("w", [3, 2]) is w

    def test_existing_without_reuse_is_an_error(self, graph):
        with v1.variable_scope("dense"):
            v1.get_variable("w", [1])
        with pytest.raises(
            ValueError,
            match=r"Variable dense/w already exists, disallowed\. Did you mean to set reuse=True or reuse=tf.AUTO_REUSE in VarScope\? Originally defined at:\n\n.*test_variable_scope.py",
        ):
            with v1.variable_scope("dense"):
                v1.get_variable("w", [1])

    def test_missing_with_reuse_is_an_error(self, graph):
        with pytest.raises(
            ValueError,
            match=r"Variable dense/w does not exist, or was not created with tf.get_variable\(\)",
        ):
            with v1.variable_scope("dense", reuse=True):
                v1.get_variable("w", [1])

    def test_auto_reuse_creates_then_returns(self, graph):
        made = []
        for _ in range(3):
            with v1.variable_scope("net", reuse=v1.AUTO_REUSE):
                made.append(v1.get_variable("w", [2]))
        assert made[0] is made[1] is made[2]
        assert len(v1.global_variables()) == 1

    def test_shape_and_dtype_must_match_to_share(self, graph):
        with v1.variable_scope("s"):
            v1.get_variable("w", [2])
        with v1.variable_scope("s", reuse=True):
            with pytest.raises(
                ValueError,
                match=r"Trying to share variable s/w, but specified shape \(3,\) and found shape \(2,\)",
            ):
                v1.get_variable("w", [3])
            # (TF 2.21) the variable found is named by its reference dtype.
            with pytest.raises(ValueError, match=r"dtype int32 and found dtype float32_ref\.$"):
                v1.get_variable("w", [2], dtype=tf.int32)

    def test_reuse_is_inherited_and_cannot_be_turned_off(self, graph):
        with v1.variable_scope("outer"):
            with v1.variable_scope("inner"):
                w = v1.get_variable("w", [1])
        with v1.variable_scope("outer", reuse=True):
            with v1.variable_scope("inner", reuse=False) as scope:
                assert scope.reuse is True
                assert v1.get_variable("w") is w

    def test_reuse_variables(self, graph):
        with v1.variable_scope("s") as scope:
            w = v1.get_variable("w", [1])
            scope.reuse_variables()
            assert v1.get_variable("w") is w

    def test_plain_variables_are_not_in_the_store(self, graph):
        tf.Variable(1.0, name="w")
        with pytest.raises(ValueError, match=r"was not created with tf\.get_variable"):
            with v1.variable_scope("", reuse=True):
                v1.get_variable("w")


class TestNaming:
    def test_names_follow_the_variable_scope_not_the_name_scope(self, graph):
        with v1.variable_scope("layer"):
            w = v1.get_variable("w", [1])
            y = tf.identity(w)
        with v1.variable_scope("layer", reuse=True):
            w2 = v1.get_variable("w")
            y2 = tf.identity(w2)
        with tf.name_scope("outer"):
            u = v1.get_variable("u", [1])
        assert (w.name, y.name, y2.name, u.name) == (
            "layer/w:0",
            "layer/Identity:0",
            "layer_1/Identity:0",
            "u:0",
        )

    def test_scope_object_reentered_opens_a_new_name_scope(self, graph):
        with v1.variable_scope("a") as scope:
            pass
        with v1.variable_scope(scope):
            x = tf.constant(1.0, name="x")
            w = v1.get_variable("w", [1])
        assert (x.op.name, w.op.name) == ("a_1/x", "a/w")  # as TF: ops apart, variables not

    def test_default_names_are_made_unique(self, graph):
        names = []
        for _ in range(3):
            with v1.variable_scope(None, default_name="block") as scope:
                names.append(scope.name)
                v1.get_variable("w", [1])
        assert names == ["block", "block_1", "block_2"]
        assert [v.op.name for v in v1.global_variables()] == ["block/w", "block_1/w", "block_2/w"]
        with pytest.raises(
            TypeError, match="If default_name is None then name_or_scope is required"
        ):
            with v1.variable_scope(None):
                pass

    def test_get_variable_scope(self, graph):
        assert v1.get_variable_scope().name == ""
        with v1.variable_scope("a"), v1.variable_scope("b"):
            assert v1.get_variable_scope().name == "a/b"
        assert v1.get_variable_scope().name == ""


class TestCreation:
    def test_default_initializers(self, graph):
        w = v1.get_variable("w", [20, 30])
        n = v1.get_variable("n", [3], dtype=tf.int32)
        flag = v1.get_variable("flag", [2], dtype=tf.bool)
        w_value, n_value, flag_value = _init_and_run(graph, w, n, flag)
        limit = np.sqrt(6.0 / 50.0)
        assert np.abs(w_value).max() <= limit and np.abs(w_value).max() > 0.5 * limit
        np.testing.assert_array_equal(n_value, [0, 0, 0])
        np.testing.assert_array_equal(flag_value, [False, False])
        # (TF 2.21) a string variable starts as empty strings, its dtype string_ref.
        s = v1.get_variable("s", [2], dtype=tf.string)
        assert s.dtype.name == "string_ref"
        np.testing.assert_array_equal(_init_and_run(graph, s)[0], [b"", b""])

    def test_shape_must_be_fully_defined(self, graph):
        # (TF 2.21) messages: a partial shape makes the initializer "not valid".
        with pytest.raises(ValueError, match=r"^The initializer passed is not valid\. It should"):
            v1.get_variable("w", [None, 2])
        with pytest.raises(
            ValueError,
            match=r"^Variable w did not get an initializer, so its `shape` argument must be "
            r"specified\.$",
        ):
            v1.get_variable("w")

    def test_constant_initializers(self, graph):
        a = v1.get_variable("a", initializer=tf.constant([1.0, 2.0]))
        b = v1.get_variable("b", initializer=[[1, 2]], dtype=tf.int32)
        c = v1.get_variable("c", [2, 2], initializer=v1.constant_initializer(7.0))
        d = v1.get_variable("d", [2], initializer=tf.ones_initializer)  # a class works too
        with pytest.raises(
            ValueError, match=r"If initializer is a constant, do not specify shape\."
        ):
            v1.get_variable("e", [2], initializer=tf.constant([1.0, 2.0]))
        got = _init_and_run(graph, a, b, c, d)
        np.testing.assert_array_equal(got[0], [1.0, 2.0])
        np.testing.assert_array_equal(got[1], [[1, 2]])
        np.testing.assert_array_equal(got[2], np.full((2, 2), 7.0))
        np.testing.assert_array_equal(got[3], [1.0, 1.0])

    def test_scope_defaults(self, graph):
        with v1.variable_scope("s", initializer=v1.ones_initializer(), dtype=tf.float64):
            with v1.variable_scope("t"):
                w = v1.get_variable("w", [2])
        assert w.dtype.base_dtype == tf.float64
        np.testing.assert_array_equal(_init_and_run(graph, w)[0], [1.0, 1.0])

    def test_trainable_and_collections(self, graph):
        a = v1.get_variable("a", [1], trainable=False)
        b = v1.get_variable("b", [1], collections=[v1.GraphKeys.LOCAL_VARIABLES], trainable=False)
        assert v1.trainable_variables() == [] and v1.global_variables() == [a]
        assert v1.local_variables() == [b]

    def test_regularizer_adds_a_loss(self, graph):
        w = v1.get_variable(
            "w", [2], initializer=v1.ones_initializer(), regularizer=lambda v: v * 3.0
        )
        (loss,) = graph.get_collection(v1.GraphKeys.REGULARIZATION_LOSSES)
        assert loss.op.name.startswith("w/Regularizer/")
        np.testing.assert_array_equal(_init_and_run(graph, loss)[0], [3.0, 3.0])
        assert w.op.name == "w"


class TestInitializers:
    @pytest.mark.parametrize(
        "make",
        [
            lambda: init_ops.RandomNormal(seed=3),
            lambda: init_ops.TruncatedNormal(seed=3),
            lambda: init_ops.RandomUniform(-1.0, 1.0, seed=3),
            lambda: init_ops.GlorotUniform(seed=3),
            lambda: init_ops.GlorotNormal(seed=3),
            lambda: init_ops.VarianceScaling(2.0, "fan_in", "untruncated_normal", seed=3),
        ],
    )
    def test_seeded_initializers_repeat(self, make):
        values = []
        for _ in range(2):
            with tf.Graph().as_default() as g:
                v1.set_random_seed(7)
                w = v1.get_variable("w", [4, 5], initializer=make())
                values.append(_init_and_run(g, w)[0])
        np.testing.assert_array_equal(values[0], values[1])
        assert values[0].shape == (4, 5) and values[0].dtype == np.float32

    @pytest.mark.parametrize(
        ("mode", "distribution", "expected_std"),
        [
            ("fan_in", "untruncated_normal", np.sqrt(2.0 / 400)),
            ("fan_out", "truncated_normal", np.sqrt(2.0 / 100)),
            ("fan_avg", "uniform", np.sqrt(2.0 / 250)),
        ],
    )
    def test_variance_scaling_statistics(self, graph, mode, distribution, expected_std):
        init = init_ops.VarianceScaling(2.0, mode, distribution, seed=1)
        (value,) = tf.compat.v1.Session().run([init([400, 100])])
        assert abs(value.std() - expected_std) / expected_std < 0.05

    def test_fans(self):
        assert init_ops.compute_fans([]) == (1.0, 1.0)
        assert init_ops.compute_fans([5]) == (5.0, 5.0)
        assert init_ops.compute_fans([3, 4]) == (3.0, 4.0)
        assert init_ops.compute_fans([2, 2, 3, 4]) == (12.0, 16.0)

    def test_bad_arguments(self):
        with pytest.raises(ValueError, match="Expected floating point type, got <dtype: 'int32'>"):
            init_ops.RandomNormal(dtype=tf.int32)
        with pytest.raises(ValueError, match="Invalid `mode` argument"):
            init_ops.VarianceScaling(mode="fan")
        with pytest.raises(ValueError, match="`scale` must be a positive float"):
            init_ops.VarianceScaling(scale=0.0)
        with pytest.raises(TypeError, match=r"Expected Tensor's shape: \(2, 2\), got \(4,\)"):
            init_ops.Constant([1, 2, 3, 4], verify_shape=True)([2, 2])

    def test_config_round_trip(self):
        init = init_ops.VarianceScaling(2.0, "fan_out", "uniform", seed=5)
        again = init_ops.VarianceScaling.from_config(init.get_config())
        assert again.get_config() == init.get_config()

    def test_v1_namespace(self, graph):
        assert v1.initializers.zeros is init_ops.Zeros
        assert v1.initializers.glorot_uniform is v1.glorot_uniform_initializer
        assert tf.zeros_initializer is init_ops.Zeros
        init = v1.initializers.variables([])
        assert init.type == "NoOp"
