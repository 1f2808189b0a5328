"""tf.compat.v1.Session: TF's session_test.py behaviours (the non-grpc ones that apply)."""

from __future__ import annotations

import collections
import logging
import os
import threading

import attrs
import numpy as np
import pytest

import runtime as tf
import runtime.session
from runtime.session import register_session_run_conversion_functions

tf1 = tf.compat.v1


# -- construction ------------------------------------------------------------------------


def test_use_existing_graph():  # 1
    g = tf.Graph()
    with g.as_default():
        a = tf.constant(6.0, shape=[1, 1])
        b = tf.constant(7.0, shape=[1, 1])
        c = tf.matmul(a, b, name="matmul")
    with tf1.Session(graph=g):
        assert c.eval().tolist() == [[42.0]]


def test_use_default_graph():  # 2
    with tf.Graph().as_default():
        c = tf.matmul(tf.constant(6.0, shape=[1, 1]), tf.constant(7.0, shape=[1, 1]))
        with tf1.Session():
            assert c.eval().tolist() == [[42.0]]


def test_create_feeds_a_constant_by_name():  # 3
    with tf.Graph().as_default(), tf1.Session():
        inp = tf.constant(10.0, shape=[2, 3], name="W1")
        copy = tf.identity(inp)
        arr = np.asarray([[0, 1, 2], [3, 4, 5]], dtype=np.float32)
        np.testing.assert_array_equal(copy.eval({"W1:0": arr}), arr)
        np.testing.assert_array_equal(copy.eval(), np.full((2, 3), 10.0, np.float32))


def test_many_cpus():  # 4
    config = tf1.ConfigProto(device_count={"CPU": 2, "GPU": 0})
    with tf.Graph().as_default(), tf1.Session(config=config) as sess:
        types = [tf.DeviceSpec.from_string(d.name).device_type for d in sess.list_devices()]
        assert types.count("CPU") == 2 and types.count("GPU") == 0


@pytest.mark.parametrize(
    "config",
    [
        tf1.ConfigProto(use_per_session_threads=True),
        tf1.ConfigProto(inter_op_parallelism_threads=2, intra_op_parallelism_threads=1),
    ],
    ids=["per-session", "sized"],
)
def test_thread_options_run(config):  # 5
    with tf.Graph().as_default():
        c = tf.constant(5.0)
        with tf1.Session(config=config) as sess:
            assert sess.run(c) == 5.0


def _blas_threads() -> list:
    from threadpoolctl import threadpool_info

    return [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]


def test_blas_threads_come_back_when_sessions_close_out_of_order():
    from runtime import intra_op

    before = _blas_threads()
    assert before, "numpy links a BLAS that threadpoolctl controls"
    first = tf1.Session(graph=tf.Graph(), config=tf1.ConfigProto(intra_op_parallelism_threads=1))
    second = tf1.Session(graph=tf.Graph(), config=tf1.ConfigProto(intra_op_parallelism_threads=3))
    # BLAS runs on one thread while sessions are open; kernels split work across the
    # newest session's intra-op threads instead.
    assert _blas_threads() == [1] * len(before)
    assert intra_op.intra_op_threads() == 3
    first.close()
    assert _blas_threads() == [1] * len(before) and intra_op.intra_op_threads() == 3
    second.close()
    assert _blas_threads() == before
    assert intra_op.intra_op_threads() == 1


def test_default_intra_op_threads_are_one_per_core():
    from runtime import intra_op

    with tf1.Session(graph=tf.Graph()):
        assert intra_op.intra_op_threads() == (os.cpu_count() or 1)


def test_kernels_on_inter_op_threads_keep_the_sessions_threads():
    """A regression: kernels once lowered BLAS's process-wide thread count around their
    blocks and put it back from whichever thread they ran on, which OpenBLAS ignores
    from some threads; after a few runs every product ran on one thread."""
    from runtime import intra_op

    rng = np.random.default_rng(0)
    with tf.Graph().as_default():
        x = tf.constant(rng.standard_normal((8, 12, 12, 4)).astype(np.float32))
        w = tf.constant(rng.standard_normal((3, 3, 4, 4)).astype(np.float32))
        convs = [tf.nn.conv2d(x, w * float(i), 1, "SAME") for i in range(4)]
        config = tf1.ConfigProto(intra_op_parallelism_threads=2, inter_op_parallelism_threads=2)
        config.graph_options.rewrite_options.disable_meta_optimizer = True
        with tf1.Session(config=config) as sess:
            before = _blas_threads()
            for _ in range(5):
                values = sess.run(convs)
            assert intra_op.intra_op_threads() == 2
            assert _blas_threads() == before == [1] * len(before)
    np.testing.assert_allclose(values[2], 2 * values[1], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("num_pools", [1, 2, 3])
def test_session_inter_op_thread_pools(num_pools):  # 6
    pools = [tf1.ThreadPoolOptionProto(num_threads=i % 2) for i in range(num_pools)]
    pools[0].global_name = "session_test_t1"
    pools[0].num_threads = 1
    config = tf1.ConfigProto(session_inter_op_thread_pool=pools)
    with tf.Graph().as_default():
        inp = tf.constant(30.0, name="W1")
        with tf1.Session(config=config) as sess:
            for index in [*range(num_pools), -1]:
                options = tf1.RunOptions(inter_op_thread_pool=index)
                assert sess.run([inp], options=options) == [30.0]
            with pytest.raises(
                tf.errors.InvalidArgumentError, match="Invalid inter_op_thread_pool: 7"
            ):
                sess.run(inp, options=tf1.RunOptions(inter_op_thread_pool=7))


def test_global_pool_cannot_change_size():
    config = tf1.ConfigProto(
        session_inter_op_thread_pool=[tf1.ThreadPoolOptionProto(num_threads=1, global_name="gp")]
    )
    other = tf1.ConfigProto(
        session_inter_op_thread_pool=[tf1.ThreadPoolOptionProto(num_threads=3, global_name="gp")]
    )
    with tf.Graph().as_default():
        tf1.Session(config=config).close()
        with pytest.raises(
            tf.errors.InvalidArgumentError,
            match="Pool gp configured previously with num_threads=1; cannot re-configure with num_threads=3",
        ):
            tf1.Session(config=other)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"target": 37}, r'Argument `target` must be a string, but got "int"'),
        ({"config": 37}, r'Argument `config` must be a tf.ConfigProto, but got "int"'),
        ({"graph": 37}, r'Argument `graph` must be a tf.Graph, but got "int"'),
        (
            {"target": tf1.ConfigProto()},
            r'Did you do "Session\(config\)" instead of "Session\(config=config\)"\?',
        ),
    ],
)
def test_invalid_arguments(kwargs, message):  # 85
    with pytest.raises(TypeError, match=message):
        tf1.Session(**kwargs)


def test_invalid_target_fails():  # 69
    with pytest.raises(
        tf.errors.NotFoundError, match="No session factory registered for the given session options"
    ):
        tf1.Session("INVALID_TARGET")


def test_properties(graph):
    sess = tf1.Session(b"", graph=graph)
    assert sess.graph is graph and sess.sess_str == b""
    assert isinstance(sess.graph_def, tf.GraphDef)
    sess.close()


def test_graph_def_tracks_the_graph():  # 46
    with tf.Graph().as_default(), tf1.Session() as sess:
        assert len(sess.graph_def.node) == 0
        tf.constant(5.0, name="a")
        assert len(sess.graph_def.node) == 1
        tf.constant(6.0, name="b")
        assert len(sess.graph_def.node) == 2
        versions = sess.graph_def.versions
        assert versions.producer > 0 and versions.min_consumer > 0


def test_open_and_close():  # 98
    with tf.Graph().as_default():
        c = tf.constant(1.0)
        sess = tf1.Session()
        assert sess.run(c) == 1.0
        sess.close()
        sess.close()  # closing twice is allowed, as in TF
        with pytest.raises(RuntimeError, match="Attempted to use a closed Session"):
            sess.run(c)
        with tf1.Session() as sess:
            assert sess.run(c) == 1.0
        with pytest.raises(RuntimeError, match="Attempted to use a closed Session"):
            sess.run(c)


# -- fetches -----------------------------------------------------------------------------


@pytest.fixture
def fetch_graph():
    g = tf.Graph()
    with g.as_default():
        a = tf.constant(42.0, name="a")
        b = tf.no_op(name="b")
        c = tf.constant(44.0, name="c")
        v = tf1.Variable(0.0, name="v")
        assign = v.assign(2.0)
        with tf1.Session() as sess:
            yield sess, a, b, c, assign


def test_fetch_singleton(fetch_graph):  # 12, 13
    sess, a, b, _c, _ = fetch_graph
    assert sess.run(a) == 42.0 and sess.run(b) is None
    assert sess.run(a.name) == 42.0 and sess.run(b.name) is None
    assert sess.make_callable(a)() == 42.0 and sess.make_callable(b)() is None


def test_fetch_list(fetch_graph):  # 14
    sess, a, b, c, assign = fetch_graph
    fetches = [a, b, c, a.name, assign.op]
    for result in (sess.run(fetches), sess.make_callable(fetches)()):
        assert result == [42.0, None, 44.0, 42.0, None] and type(result) is list


def test_equal_fetch_structures_share_one_mapper_and_get_their_own_results(fetch_graph):
    """A training loop's ``sess.run([train, loss])`` makes a new list each step: it is
    mapped once, and each run still returns a new structure of the right types."""
    sess, a, b, c, _ = fetch_graph
    first, second = sess.run([a, {"c": c}]), sess.run([a, {"c": c}])
    assert first == second == [42.0, {"c": 44.0}] and first is not second
    assert len([k for k in sess._mappers if isinstance(k, tuple) and k[0] is list]) == 1
    assert sess.run([a, {"c": b}]) == [42.0, {"c": None}]  # other contents: another mapper
    ABC = collections.namedtuple("ABC", ["a", "b", "c"])
    assert type(sess.run((a, b, c))) is tuple and type(sess.run(ABC(a, b, c))) is ABC
    ordered = sess.run(collections.OrderedDict([("a", a)]))
    assert type(sess.run({"a": a})) is dict and type(ordered) is collections.OrderedDict
    for factory in (str, int):  # a defaultdict's results get its own factory
        result = sess.run(collections.defaultdict(factory, {"a": a}))
        assert result.default_factory is factory and result["a"] == 42.0


def test_fetch_list_subclass_comes_back_as_list(fetch_graph):
    sess, a, *_ = fetch_graph

    class MyList(list):
        pass

    result = sess.run(MyList([a]))
    assert result == [42.0] and type(result) is list


def test_fetch_tuple_and_namedtuple(fetch_graph):  # 15, 16
    sess, a, b, c, _ = fetch_graph
    assert sess.run((a, b, c, a.name)) == (42.0, None, 44.0, 42.0)
    assert sess.make_callable((a, b))() == (42.0, None)
    ABC = collections.namedtuple("ABC", ["a", "b", "c"])
    for result in (sess.run(ABC(a, b, c)), sess.make_callable(ABC(a, b, c))()):
        assert type(result) is ABC
        assert (result.a, result.b, result.c) == (42.0, None, 44.0)


def test_fetch_mappings(fetch_graph):  # 17, 18, 22
    sess, a, b, c, _ = fetch_graph
    assert sess.run({"a": a, "b": b, "c": c}) == {"a": 42.0, "b": None, "c": 44.0}
    ordered = sess.run(collections.OrderedDict([(3, a), (2, b), (1, c)]))
    assert type(ordered) is collections.OrderedDict and list(ordered) == [3, 2, 1]
    assert list(ordered.values()) == [42.0, None, 44.0]
    dd = sess.run(collections.defaultdict(str, {"a": a, "b": b}))
    assert type(dd) is collections.defaultdict and dd.default_factory is str
    assert dd == {"a": 42.0, "b": None} and dd["missing"] == ""


def test_fetch_immutable_mapping(fetch_graph):
    sess, a, *_ = fetch_graph

    class Frozen(collections.abc.Mapping):
        def __init__(self, items=()):
            self._items = dict(items)

        def __getitem__(self, key):
            return self._items[key]

        def __iter__(self):
            return iter(self._items)

        def __len__(self):
            return len(self._items)

    result = sess.run(Frozen({"a": a}))
    assert type(result) is Frozen and result["a"] == 42.0


@attrs.define
class Sample:
    field1: object
    field2: object


def test_fetch_attrs(fetch_graph):  # 19
    sess, a, _b, c, _ = fetch_graph
    result = sess.run(Sample(a, c))
    assert type(result) is Sample and (result.field1, result.field2) == (42.0, 44.0)
    fed = sess.run(Sample(a, c), feed_dict={a: 1.0})
    assert fed.field1 == 1.0


def test_fetch_nested_attrs(fetch_graph):  # 20
    sess, a, _b, c, _ = fetch_graph
    result = sess.run({"x": [Sample(Sample(a, [c]), (a,))]})
    inner = result["x"][0]
    assert inner.field1.field1 == 42.0 and inner.field1.field2 == [44.0]
    assert inner.field2 == (42.0,)


def test_fetch_nesting_empty(fetch_graph):  # 21
    sess, a, *_ = fetch_graph
    result = sess.run([[], (), {}])
    assert result == [[], (), {}] and [type(r) for r in result] == [list, tuple, dict]
    result = sess.run([[], (), {}, a])
    assert result == [[], (), {}, 42.0]


def test_fetch_nesting_one_level(fetch_graph):  # 22
    sess, a, b, c, _ = fetch_graph
    DEFG = collections.namedtuple("DEFG", ["d", "e", "f", "g"])
    fetches = [
        [a, b, c.name],
        (a.name, b, c),
        DEFG(d=a, e=[b, c], f={"x": a}, g=(c,)),
        {"l": [a, b], "t": (b, c), "d": {"a": a}},
    ]
    lists, tuples, named, mapping = sess.run(fetches)
    assert lists == [42.0, None, 44.0] and tuples == (42.0, None, 44.0)
    assert named == DEFG(d=42.0, e=[None, 44.0], f={"x": 42.0}, g=(44.0,))
    assert mapping == {"l": [42.0, None], "t": (None, 44.0), "d": {"a": 42.0}}


def test_fetch_tensor_objects():  # 23
    with tf.Graph().as_default(), tf1.Session() as sess:
        a = tf.constant(1.0, shape=[1, 2])
        b = tf.constant(2.0, shape=[2, 3])
        c = tf.matmul(a, b)
        expected = [[4.0, 4.0, 4.0]]
        assert sess.run([c])[0].tolist() == expected
        assert sess.run(c).tolist() == expected
        assert c.eval().tolist() == expected
        assert sess.run({"c": [c]})["c"][0].tolist() == expected
        assert sess.run([[[[[c]]]]])[0][0][0][0][0].tolist() == expected


@pytest.mark.parametrize("dtype", [tf.int32, tf.int64, tf.float16, tf.float32, tf.float64])
def test_fetch_scalar_types_exactly(dtype):  # 24
    with tf.Graph().as_default(), tf1.Session() as sess:
        c = tf.constant(3, dtype=dtype)
        numpy_type = dtype.as_numpy_dtype
        assert type(sess.run(c)) is numpy_type
        assert type(sess.run([c])[0]) is numpy_type
        assert type(sess.run({"c": c})["c"]) is numpy_type
        assert type(sess.run([[c]])[0][0]) is numpy_type
        assert type(c.eval()) is numpy_type


def test_fetch_variable_and_its_initializer():  # 25
    with tf.Graph().as_default(), tf1.Session() as sess:
        v = tf1.Variable([[1.0, 2.0]], name="v")
        assert sess.run(v.initializer) is None
        assert sess.run(v).tolist() == [[1.0, 2.0]]


def test_duplicated_fetches_run_once(fetch_graph):  # 56
    sess, a, *_ = fetch_graph
    assert sess.run([a, a.name, a]) == [42.0, 42.0, 42.0]


def test_fetched_constants_do_not_share_storage_with_the_graph():
    with tf.Graph().as_default(), tf1.Session() as sess:
        c = tf.constant([1.0, 2.0])
        result = sess.run(c)
        result[0] = 100.0
        assert sess.run(c).tolist() == [1.0, 2.0]


@pytest.mark.parametrize(
    ("fetches", "error", "message"),
    [
        (None, TypeError, 'Argument `fetch` = None has invalid type "NoneType"'),
        ([None], TypeError, "Fetch argument None has invalid type"),
        ({"b": None}, TypeError, "Cannot be None"),
        ("foo:0", ValueError, r"Fetch argument 'foo:0' cannot be interpreted as a Tensor"),
        (1.5, TypeError, r"Fetch argument 1\.5 has invalid type <class 'float'>"),
    ],
)
def test_fetch_errors(fetch_graph, fetches, error, message):  # 7, 11
    sess, a, *_ = fetch_graph
    with pytest.raises(error, match=message):
        sess.run(fetches)
    with pytest.raises(error, match=message):
        sess.run({"a": a, "b": fetches})


def test_fetch_by_name_in_different_string_types(fetch_graph):  # 70
    sess, a, *_ = fetch_graph
    assert a.name == "a:0" and isinstance(a.name, str)
    assert sess.run("a:0") == 42.0 and sess.run(b"a:0") == 42.0
    assert sess.run([b"b"]) == [None]


def test_incorrect_graph():  # 71
    with tf.Graph().as_default():
        tf.constant(1.0, name="c")
    with tf.Graph().as_default() as g2:
        other = tf.constant(2.0, name="c")
    with tf.Graph().as_default() as g1:
        tf.constant(1.0, name="c")
    with tf1.Session(graph=g1) as sess:
        with pytest.raises(ValueError, match="is not an element of this graph"):
            sess.run(other)
        with pytest.raises(ValueError, match="is not an element of this graph"):
            sess.run(other.op)
    assert g2 is other.graph


def test_unfetchable_op(graph, sess):
    a = tf.constant(1.0, name="a")
    graph.prevent_fetching(a.op)
    with pytest.raises(ValueError, match="Operation 'a' has been marked as not fetchable"):
        sess.run(a)


# -- feeds ---------------------------------------------------------------------------------


def test_feed_dict_keys():  # 45
    with tf.Graph().as_default(), tf1.Session() as sess:
        a = tf1.placeholder(tf.float32, shape=[2], name="a")
        b = a * 2.0
        assert sess.run(b, {a: [1.0, 2.0]}).tolist() == [2.0, 4.0]
        assert sess.run(b, {"a:0": np.array([1.0, 3.0])}).tolist() == [2.0, 6.0]
        assert sess.run(b, {b"a:0": [0.5, 1.0]}).tolist() == [1.0, 2.0]
        z = [tf1.placeholder(tf.float32, name=f"z{i}") for i in range(3)]
        out = sess.run(z, {(((z[0],),), z[1], (z[2],)): (((1.0,),), 2.0, (3.0,))})
        assert out == [1.0, 2.0, 3.0]


def test_nested_feed_key_structure_must_match(graph, sess):
    a = tf1.placeholder(tf.float32)
    b = tf1.placeholder(tf.float32)
    with pytest.raises(ValueError, match="The structure of the feed value for key"):
        sess.run(a, {(a, b): (1.0,)})


def test_any_feedable_tensor_can_be_fed(fetch_graph):  # 38, 39
    sess, a, *_ = fetch_graph
    double = a * 2.0
    assert double.eval(feed_dict={a.name: 1.0}) == 2.0
    assert sess.run(double, {a: 5.0}) == 10.0
    assert sess.run(a, {a: 7.0}) == 7.0  # a fed fetch returns the fed value


def test_op_run_feeds_an_assign_input():  # 39
    with tf.Graph().as_default(), tf1.Session():
        v = tf1.Variable(10.0, name="v")
        b = tf.constant(1.0, name="b")
        assign = tf1.assign(v, b)
        v.initializer.run()
        assign.op.run({"b:0": 42.0})
        assert v.eval() == 42.0


def test_feed_key_errors(graph, sess):  # 72
    a = tf1.placeholder(tf.float32, name="a")
    with pytest.raises(TypeError, match="Cannot interpret feed_dict key as Tensor"):
        sess.run(a, {"a": 1.0})
    with pytest.raises(TypeError, match="Cannot interpret feed_dict key as Tensor"):
        sess.run(a, {"zz:0": 1.0})
    with pytest.raises(TypeError, match="Cannot interpret feed_dict key as Tensor"):
        sess.run(a, {1.5: 1.0})


def test_feed_value_cannot_be_a_tensor(graph, sess):  # 63
    a = tf1.placeholder(tf.float32, name="a")
    b = tf.constant(1.0)
    message = "The value of a feed cannot be a tf.Tensor object"
    with pytest.raises(TypeError, match=message):
        sess.run(a, {a: b})
    with pytest.raises(TypeError, match=message):
        a.eval(session=sess, feed_dict={a: b})
    with pytest.raises(TypeError, match=message):
        tf.identity(a).op.run(session=sess, feed_dict={a: b})


def test_feed_precision_loss_error(graph, sess):  # 64
    c = tf.constant(1, dtype=tf.int32)
    with pytest.raises(
        TypeError,
        match=r"Type of feed value 9223372036854775807 with type <class 'int'> is not compatible with Tensor type <dtype: 'int32'>",
    ):
        sess.run(c, {c: np.iinfo(np.int64).max})


def test_auto_convert_and_check_data(graph, sess):  # 99
    a = tf1.placeholder(tf.string)
    with pytest.raises(TypeError, match=r"Type of feed value 1 with type <(\w+) 'int'> is not"):
        sess.run(a, {a: 1})


def test_feed_float_with_fraction_to_int_is_an_error(graph, sess):
    a = tf1.placeholder(tf.int32)
    with pytest.raises(
        TypeError, match=r"^Type of feed value \[1\.5\] with type <class 'list'> is not compatible"
    ):
        sess.run(a, {a: [1.5]})
    with pytest.raises(  # numpy's class, as TF's: the text is no int
        ValueError, match=r"Cannot feed value 'x' to Tensor 'Placeholder:0' of dtype int32"
    ):
        sess.run(a, {a: "x"})
    assert sess.run(a, {a: [2.0]}).tolist() == [2]


def test_feed_shape_compatibility(graph, sess):  # 75
    some = tf.constant([2.0, 2.0, 2.0, 2.0])
    with pytest.raises(
        ValueError,
        match=r"Cannot feed value of shape \(3,\) for Tensor 'Const:0', which has shape '\(4,\)'",
    ):
        sess.run(some, {some: [1.0, 2.0, 3.0]})
    p = tf1.placeholder(tf.float32, shape=[None, 2])
    assert sess.run(p, {p: np.ones((5, 2))}).shape == (5, 2)


def test_unfeedable_tensor(graph, sess):
    a = tf.constant(1.0, name="a")
    graph.prevent_feeding(a)
    with pytest.raises(ValueError, match="Tensor 'a:0' may not be fed"):
        sess.run(a, {a: 2.0})


def test_unfed_placeholder_error_names_the_placeholder(graph, sess):  # 8
    p = tf1.placeholder(tf.float32, shape=[2, None], name="p")
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        sess.run(p * 2.0)
    err = info.value
    assert err.op is p.op and err.node_def.name == "p"
    assert (
        "You must feed a value for placeholder tensor 'p' with dtype float and shape [2,?]"
        in err.message
    )
    assert "Op 'p' was created at" in str(err)


def test_error_based_on_original_op(graph, sess):  # 10
    a = tf.constant(1.0, name="a")
    with graph._original_op(a.op):
        b = tf1.placeholder(tf.float32, name="b")
    with graph._original_op(b.op):
        c = tf1.placeholder(tf.float32, name="c")
    with pytest.raises(tf.errors.OpError) as info:
        sess.run(c)
    assert info.value.op is c.op
    assert info.value.op._original_op is b.op and b.op._original_op is a.op
    assert "...which was originally created as op 'b'" in str(info.value)


@pytest.mark.parametrize(
    "dtype",
    [
        np.float16,
        np.float32,
        np.float64,
        np.int32,
        np.uint8,
        np.int16,
        np.int8,
        np.int64,
        np.bool_,
        np.complex64,
        np.complex128,
    ],
)
def test_feed_and_fetch_every_dtype_and_shape(dtype):  # 57
    rng = np.random.default_rng(0)
    with tf.Graph().as_default(), tf1.Session() as sess:
        for shape in [(32, 4, 128), (37,), (2, 0, 6), (0, 0, 0)]:
            feed = tf1.placeholder(tf.as_dtype(dtype), shape=shape)
            out = tf.identity(feed)
            value = (rng.random(shape) * 10).astype(dtype)
            out_value, feed_value = sess.run([out, feed], {feed: value})
            assert out_value.dtype == dtype and np.array_equal(out_value, value)
            assert np.array_equal(feed_value, value)
            assert np.array_equal(sess.run(feed, {feed: value}), value)
            callable_out, callable_feed = sess.make_callable([out, feed], [feed])(value)
            assert np.array_equal(callable_out, value) and np.array_equal(callable_feed, value)


# -- strings ---------------------------------------------------------------------------------


def test_string_fetch(graph, sess):  # 65
    for shape in [(32, 4, 128), (37,), (2, 0, 6), (0, 0, 0)]:
        size = int(np.prod(shape))
        values = np.array([str(i).encode() for i in range(size)], dtype=object).reshape(shape)
        out = sess.run(tf.constant(values))
        assert out.dtype == object and out.shape == shape and np.array_equal(out, values)


def test_string_feed(graph, sess):  # 66
    feed = tf1.placeholder(tf.string, shape=[3])
    out = tf.identity(feed)
    values = np.array([b"a", b"bc", b""], dtype=object)
    out_value, feed_value = sess.run([out, feed], {feed: values})
    assert out_value.tolist() == values.tolist() and feed_value.tolist() == values.tolist()


def test_string_feed_with_null_characters(graph, sess):  # 67
    feed = tf1.placeholder(tf.string, shape=[2])
    out = tf.identity(feed)
    assert sess.run(out, {feed: [b"\x00", b"a\x00b"]}).tolist() == [b"\x00", b"a\x00b"]


def test_string_feed_with_unicode(graph, sess):  # 68
    feed = tf1.placeholder(tf.string, shape=[None])
    out = tf.identity(feed)
    text = ["\u043f\u04e8\u04e8\u0451", "é", "漢字"]
    for value in (text, np.array(text, dtype=object)):
        assert sess.run(out, {feed: value}).tolist() == [t.encode("utf-8") for t in text]


# -- default session, eval and run ---------------------------------------------------------


def test_default_graph_inside_a_session_block():  # 40
    g = tf.Graph()
    with tf1.Session(graph=g) as sess:
        assert tf1.get_default_graph() is g is sess.graph
        assert tf1.get_default_session() is sess
        v = tf1.Variable(1.0, name="v")
        sess.run(v.initializer)
        assert sess.run(v.assign_add(1.0)) == 2.0


def test_default_graph_with_threads():  # 41
    errors = []

    def work():
        try:
            with tf.Graph().as_default() as g, tf1.Session() as sess:
                c = tf.constant(3.0)
                assert sess.graph is g and tf1.get_default_graph() is g
                assert sess.run(c) == 3.0
        except Exception as err:  # surfaced below in the main thread
            errors.append(err)

    threads = [threading.Thread(target=work) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_parallel_run(graph, sess):  # 42
    c = tf.matmul(tf.constant(6.0, shape=[1, 1]), tf.constant(7.0, shape=[1, 1]))
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(c.eval(session=sess))) for _ in range(100)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 100 and all(r.tolist() == [[42.0]] for r in results)


def test_parallel_run_while_building(graph, sess):  # 43, 44
    c = tf.constant(5.0) * 2.0
    stop = threading.Event()
    failures = []

    def runner():
        while not stop.is_set():
            try:
                assert sess.run(c) == 10.0
            except Exception as err:
                failures.append(err)
                return

    def builder():
        x = tf.constant(1.0)
        for _ in range(200):
            x = x + 1.0
            with graph.colocate_with(x.op):
                tf.identity(x)
        assert sess.run(x) == 201.0

    runners = [threading.Thread(target=runner) for _ in range(4)]
    builders = [threading.Thread(target=lambda: _in_graph(graph, builder)) for _ in range(3)]
    for t in runners + builders:
        t.start()
    for t in builders:
        t.join()
    stop.set()
    for t in runners:
        t.join()
    assert failures == []


def _in_graph(graph, fn):
    with graph.as_default():
        fn()


def test_not_entered_session_is_not_default():  # 50
    with tf.Graph().as_default():
        c = tf.constant(5.0)
        sess = tf1.Session()
        assert tf1.get_default_session() is None
        with pytest.raises(
            ValueError,
            match="Cannot evaluate tensor using `eval\\(\\)`: No default session is registered",
        ):
            c.eval()
        with pytest.raises(
            ValueError, match="Cannot evaluate operation using `eval\\(\\)`: No default session"
        ):
            c.op.run()
        sess.close()


def test_eval_with_the_session_of_another_graph():
    with tf.Graph().as_default():
        c = tf.constant(1.0)
    with tf.Graph().as_default(), tf1.Session() as other:
        with pytest.raises(
            ValueError, match="the tensor's graph is different from the session's graph"
        ):
            c.eval()
        with pytest.raises(ValueError, match="Cannot use the given session to evaluate tensor"):
            c.eval(session=other)


def test_as_default():  # 83
    with tf.Graph().as_default():
        c = tf.constant(37.0)
        sess = tf1.Session()
        with sess.as_default():
            assert tf1.get_default_session() is sess
            assert c.eval() == 37.0
        with sess.as_default():  # may be entered again; it does not close
            assert c.eval() == 37.0
        assert tf1.get_default_session() is None
        with tf1.Session().as_default():
            assert c.eval() == 37.0
        sess.close()


def test_default_session_is_per_thread():
    with tf.Graph().as_default(), tf1.Session() as sess:
        seen = []
        t = threading.Thread(target=lambda: seen.append(tf1.get_default_session()))
        t.start()
        t.join()
        assert tf1.get_default_session() is sess and seen == [None]


def test_non_interactive_nesting_violation():  # 81
    with tf.Graph().as_default():
        sess1, sess2 = tf1.Session(), tf1.Session()
        ctx1, ctx2 = sess1.as_default(), sess2.as_default()
        ctx1.__enter__()
        ctx2.__enter__()
        with pytest.raises(AssertionError, match="Nesting violated"):
            ctx1.__exit__(None, None, None)
        ctx2.__exit__(None, None, None)
        # As TF's own test does: the violated stack is reset by hand.
        runtime.session._default_sessions.stack.clear()
        sess1.close()
        sess2.close()


def test_reentry():  # 84
    with tf.Graph().as_default():
        sess = tf1.Session()
        with sess, pytest.raises(RuntimeError, match="Session context managers are not re-entrant"):
            with sess:
                pass


def test_context_manager_closes_on_exceptions():
    with tf.Graph().as_default():
        c = tf.constant(1.0)
        with pytest.raises(KeyError), tf1.Session() as sess:
            raise KeyError("boom")
        with pytest.raises(RuntimeError, match="Attempted to use a closed Session"):
            sess.run(c)


# -- closed and empty sessions -------------------------------------------------------------


def test_use_after_close():  # 47
    with tf.Graph().as_default():
        c = tf.constant(5.0)
        with tf1.Session() as sess:
            assert sess.run(c) == 5.0
        for call in (lambda: sess.run(c), sess.list_devices, lambda: sess.make_callable(c)):
            with pytest.raises(RuntimeError, match="Attempted to use a closed Session"):
                call()
        sess.close()  # idempotent


def test_use_after_close_concurrent():  # 48
    with tf.Graph().as_default():
        c = tf.constant(5.0)
        sess = tf1.Session()
        seen = []
        started = threading.Event()

        def loop():
            while True:
                try:
                    sess.run(c)
                    started.set()
                except (RuntimeError, tf.errors.CancelledError) as err:
                    seen.append(err)
                    return

        t = threading.Thread(target=loop)
        t.start()
        started.wait(5)
        sess.close()
        t.join(5)
        assert not t.is_alive()
        assert "Attempted to use a closed Session" in str(seen[0]) or isinstance(
            seen[0], tf.errors.CancelledError
        )


def test_use_empty_graph():  # 49
    with tf.Graph().as_default(), tf1.Session() as sess:
        for fetches in ([], (), {}):
            with pytest.raises(RuntimeError, match="The Session graph is empty"):
                sess.run(fetches)


def test_nothing_to_run_does_not_call_the_engine(graph, sess):
    a = tf1.placeholder(tf.float32)
    calls = []
    sess._engine.execute = lambda *args: calls.append(args)
    assert sess.run([]) == [] and sess.run(a, {a: 3.0}) == 3.0
    assert calls == []


# -- graph extension --------------------------------------------------------------------------


def test_extend_with_stateless_and_stateful_operations():  # 35, 36, 37
    with tf.Graph().as_default(), tf1.Session() as sess:
        a = tf.constant(1.0)
        assert sess.run(a) == 1.0
        b = a + 2.0
        assert sess.run(b) == 3.0
        v = tf1.Variable(10.0, name="v")
        sess.run(v.initializer)
        assert sess.run(v) == 10.0
        add = v.assign_add(1.0)
        assert sess.run(add) == 11.0
        p = tf1.Variable(1.0)
        q = tf1.Variable(2.0)
        sess.run(tf.group(p.initializer, q.initializer))
        assert sess.run([p, q, v]) == [1.0, 2.0, 11.0]


def test_shared_graph():  # 55
    with tf.Graph().as_default() as g:
        c = tf.matmul(tf.constant(6.0, shape=[1, 1]), tf.constant(7.0, shape=[1, 1]))
    with tf1.Session(graph=g) as s1, tf1.Session(graph=g) as s2:
        assert s1.run(c).tolist() == s2.run(c).tolist() == [[42.0]]


# -- interactive sessions -----------------------------------------------------------------


def test_interactive_session():  # 51
    with tf.Graph().as_default():
        sess = tf1.InteractiveSession()
        a = tf.constant(1.0, shape=[1, 2])
        b = tf.constant(2.0, shape=[2, 3])
        c = tf.matmul(a, b)
        assert c.eval().tolist() == [[4.0, 4.0, 4.0]]
        d = tf.constant([1.0, 2.0, 3.0], shape=[3, 1])
        e = tf.matmul(c, d)
        assert e.eval().tolist() == [[24.0]]
        sess.close()


def test_multiple_interactive_sessions_log_one_error(caplog):  # 52
    caplog.set_level(logging.ERROR)
    with tf.Graph().as_default():
        for _ in range(3):  # serially: nothing
            tf1.InteractiveSession().close()
        assert not caplog.records
        first = tf1.InteractiveSession()
        second = tf1.InteractiveSession()
        errors = [r for r in caplog.records if r.levelno == logging.ERROR]
        assert len(errors) == 1
        assert "An interactive session is already active" in errors[0].getMessage()
        assert errors[0].getMessage().endswith("if you intend to productionize.")
        second.close()
        first.close()


def test_interactive_session_nesting_out_of_order():  # 82
    with tf.Graph().as_default():
        first = tf1.InteractiveSession()
        second = tf1.InteractiveSession()
        first.close()
        second.close()
        assert tf1.get_default_session() is None


def test_interactive_session_with_a_graph_installs_it():
    g = tf.Graph()
    sess = tf1.InteractiveSession(graph=g)
    assert tf1.get_default_graph() is g and tf1.get_default_session() is sess
    sess.close()
    assert tf1.get_default_graph() is not g


def test_interactive_places_only_what_a_run_needs():  # 53
    with tf.Graph().as_default():
        with tf.device("/device:GPU:0"):
            gpu = tf.constant(1.0, name="on_gpu")
        a = tf.constant(2.0)
        sess = tf1.InteractiveSession()
        assert a.eval() == 2.0
        with pytest.raises(
            tf.errors.InvalidArgumentError,
            match="explicitly assigned to /device:GPU:0 but available devices are",
        ):
            gpu.eval()
        sess.close()


def test_plain_session_places_the_whole_graph():  # 54
    with tf.Graph().as_default():
        with tf.device("/device:GPU:0"):
            tf.constant(1.0, name="on_gpu")
        a = tf.constant(2.0)
        with tf1.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError) as info:
                sess.run(a)
            assert "Cannot assign a device for operation on_gpu" in info.value.message
            assert (
                "available devices are [ /job:localhost/replica:0/task:0/device:CPU:0 ]"
                in info.value.message
            )


# -- devices, config -------------------------------------------------------------------------


def test_list_devices():  # 93, session_list_devices_test
    with tf.Graph().as_default(), tf1.Session() as sess:
        devices = sess.list_devices()
    assert [d.name for d in devices] == ["/job:localhost/replica:0/task:0/device:CPU:0"]
    d = devices[0]
    assert (
        d.device_type == "CPU"
        and d.memory_limit_bytes > 0
        and d.memory_limit == d.memory_limit_bytes
    )
    assert d.incarnation != 0
    assert repr(d).startswith(
        "_DeviceAttributes(/job:localhost/replica:0/task:0/device:CPU:0, CPU, "
    )


def test_optimizer_options():  # 100
    config = tf1.ConfigProto()
    config.set_optimizer_experimental_options({"min_graph_nodes": -1})
    with tf.Graph().as_default(), tf1.Session(config=config) as sess:
        assert sess._config.graph_options.rewrite_options.min_graph_nodes == -1


def test_log_device_placement(capsys):  # 88
    config = tf1.ConfigProto(log_device_placement=True)
    with tf.Graph().as_default():
        a = tf.constant(1.0, name="a")
        b = tf.add(a, a, name="b")
        with tf1.Session(config=config) as sess:
            sess.run(b)
            sess.run(b)  # placed once
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "a: (Const): /job:localhost/replica:0/task:0/device:CPU:0",
        "b: (AddV2): /job:localhost/replica:0/task:0/device:CPU:0",
    ]
    assert sum("AddV2" in line for line in lines) == 1


def test_session_reset_clears_containers():
    with tf.Graph().as_default():
        with tf.compat.v1.get_default_graph().container("experiment"):
            v = tf1.Variable(1.0, name="v")
        w = tf1.Variable(2.0, name="w")
        with tf1.Session() as sess:
            sess.run([v.initializer, w.initializer])
            tf1.Session.reset("", ["experiment"])
            assert sess.run(w) == 2.0
            with pytest.raises(
                tf.errors.FailedPreconditionError, match="Attempting to use uninitialized value"
            ):
                sess.run(v)
            tf1.Session.reset("")  # the default container
            with pytest.raises(
                tf.errors.FailedPreconditionError, match="Attempting to use uninitialized value"
            ):
                sess.run(w)


def test_session_reset_unknown_target():
    with pytest.raises(tf.errors.NotFoundError, match="No session factory registered"):
        tf1.Session.reset("grpc://nowhere:1")


# -- conversion functions ----------------------------------------------------------------------


def test_register_fetch_and_feed_conversion_functions():  # 87
    class SquaredTensor:
        def __init__(self, tensor):
            self.sq = tf.multiply(tensor, tensor)

    def fetch_fn(squared):
        return [squared.sq], lambda values: values[0]

    def feed_fn(feed, value):
        return [(feed.sq, value)]

    def partial_feed_fn(feed):
        return [feed.sq]

    register_session_run_conversion_functions(SquaredTensor, fetch_fn, feed_fn, partial_feed_fn)
    with pytest.raises(ValueError, match="has already been registered"):
        register_session_run_conversion_functions(SquaredTensor, fetch_fn, feed_fn, partial_feed_fn)
    assert (
        tf1.register_session_run_conversion_functions is register_session_run_conversion_functions
    )
    with tf.Graph().as_default(), tf1.Session() as sess:
        np1 = np.array([1.0, 1.5, 2.0, 2.5])
        np2 = np.array([3.0, 3.5, 4.0, 4.5])
        squared = SquaredTensor(np2)
        np.testing.assert_allclose(sess.run(squared), np2 * np2)
        np.testing.assert_allclose(sess.run(squared, {squared: np1 * np1}), np1 * np1)
        handle = sess.partial_run_setup([squared], [])
        np.testing.assert_allclose(sess.partial_run(handle, squared), np2 * np2)
        doubled = squared.sq * 2.0
        handle = sess.partial_run_setup([doubled], [squared])
        np.testing.assert_allclose(sess.partial_run(handle, doubled, {squared: np1}), 2 * np1)
