"""Checkpoints and TensorFlow: TF's files (tests/fixtures/tf_checkpoints, recorded by its
generate.py) restore here, the files written here are TF's byte for byte, damaged or
forged files give DataLossError naming the file without allocating what they claim,
and the project's first format (.npz) is still read."""

from __future__ import annotations

import json
import os
import shutil
import tracemalloc
import zipfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import runtime as tf
from runtime import checkpoint
from runtime.checkpoint import bundle, table
from runtime.errors import DataLossError, NotFoundError
from runtime.proto import tensor_bundle_pb2

v1 = tf.compat.v1
train = v1.train
FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "tf_checkpoints")
EXPECTED = np.load(os.path.join(FIXTURES, "expected.npz"))
with open(os.path.join(FIXTURES, "expected.json")) as _file:
    RECORDED = json.load(_file)


def fixture(name: str) -> str:
    return os.path.join(FIXTURES, name)


def _plain(value):
    """A read value as the fixture stores it (strings as fixed-width bytes)."""
    value = np.asarray(value)
    return np.array(value.tolist(), dtype=bytes) if value.dtype == object else value


class TestTensorFlowCheckpointsRestoreHere:
    @pytest.mark.parametrize(
        "name,prefix",
        [("dtypes", "dtypes/model-7"), ("layers", "layers/model"), ("sharded", "sharded/model")],
    )
    def test_every_value_dtype_and_shape(self, name, prefix):
        reader = train.NewCheckpointReader(fixture(prefix))
        assert reader.get_variable_to_shape_map() == RECORDED[name]["shapes"]
        dtypes = {k: v.name for k, v in reader.get_variable_to_dtype_map().items()}
        assert dtypes == RECORDED[name]["dtypes"]
        for variable in RECORDED[name]["shapes"]:
            got, want = _plain(reader.get_tensor(variable)), EXPECTED[f"{name}/{variable}"]
            assert got.dtype == want.dtype and got.shape == want.shape
            np.testing.assert_array_equal(got, want)

    def test_the_state_file_and_listing(self):
        directory = fixture("dtypes")
        assert train.latest_checkpoint(directory) == os.path.join(directory, "model-7")
        assert [name for name, _ in train.list_variables(directory)] == sorted(
            RECORDED["dtypes"]["shapes"]
        )
        assert int(train.load_variable(directory, "global_step")) == 7

    def test_a_saver_restores_tfs_layers_model_and_computes_tfs_output(self, graph):
        x = v1.placeholder(tf.float32, [None, 4])
        with v1.variable_scope("dense"):
            kernel = v1.get_variable("kernel", [4, 8])
            bias = v1.get_variable("bias", [8])
        with v1.variable_scope("dense_1"):
            kernel_1 = v1.get_variable("kernel", [8, 3])
            bias_1 = v1.get_variable("bias", [3])
        logits = tf.matmul(tf.nn.relu(tf.matmul(x, kernel) + bias), kernel_1) + bias_1
        saver = train.Saver([kernel, bias, kernel_1, bias_1])
        with v1.Session(graph=graph) as sess:
            saver.restore(sess, fixture("layers/model"))
            got = sess.run(logits, {x: EXPECTED["layers:probe"]})
        np.testing.assert_allclose(got, EXPECTED["layers:logits"], rtol=1e-5, atol=1e-6)

    def test_every_variable_name_of_a_trained_model_restores(self, graph):
        made = [
            v1.Variable(
                np.zeros(shape, np.int64 if name == "global_step" else np.float32), name=name
            )
            for name, shape in RECORDED["layers"]["shapes"].items()
        ]
        saver = train.Saver()
        with v1.Session(graph=graph) as sess:
            saver.restore(sess, fixture("layers/model"))
            values = sess.run(made)
        for variable, value in zip(made, values):
            np.testing.assert_array_equal(value, EXPECTED[f"layers/{variable.op.name}"])


class TestFilesWrittenHereAreTensorFlows:
    def _rewrite(self, prefix, tmp_path, name="model"):
        """Save here exactly the tensors of TF's checkpoint ``prefix``, in TF's order."""
        with checkpoint.open_reader(prefix) as reader:
            names = sorted(reader.shapes())
            values = [reader.read(n) for n in names]
            types = [reader.dtype(n) for n in names]
        out = str(tmp_path / name)
        checkpoint.save(out, names, values, types)
        return out

    @pytest.mark.parametrize("prefix", ["dtypes/model-7", "layers/model"])
    def test_index_and_data_bytes_equal_tfs(self, prefix, tmp_path):
        out = self._rewrite(fixture(prefix), tmp_path)
        for suffix in [".index", ".data-00000-of-00001"]:
            with open(fixture(prefix) + suffix, "rb") as tf_file, open(out + suffix, "rb") as ours:
                assert ours.read() == tf_file.read(), suffix

    def test_a_saver_writes_tfs_bytes(self, graph, tmp_path):
        expected = {n: EXPECTED[f"dtypes/{n}"] for n in RECORDED["dtypes"]["shapes"]}
        for name, value in expected.items():
            value = np.array(value.tolist(), dtype=object) if value.dtype.kind == "S" else value
            v1.Variable(value, name=name)
        saver = train.Saver()
        with v1.Session(graph=graph) as sess:
            sess.run(v1.global_variables_initializer())
            prefix = saver.save(sess, str(tmp_path / "model"), global_step=7)
        for suffix in [".index", ".data-00000-of-00001"]:
            with (
                open(fixture("dtypes/model-7") + suffix, "rb") as f,
                open(prefix + suffix, "rb") as g,
            ):
                assert g.read() == f.read(), suffix

    def test_a_two_block_index_is_tfs(self):
        with open(fixture("many/model.index"), "rb") as file:
            data = file.read()
        rows = table.read_table(data, "many/model.index")
        assert len(rows) == 7001  # the header and 7,000 tensors
        assert table.build_table(rows) == data

    def test_the_state_file_is_tfs_text(self, graph, tmp_path):
        v1.Variable(1.0, name="v")
        saver = train.Saver(save_relative_paths=True)
        with v1.Session(graph=graph) as sess:
            sess.run(v1.global_variables_initializer())
            saver.save(sess, str(tmp_path / "model"), global_step=7)
        with open(fixture("dtypes/checkpoint")) as file:
            assert (tmp_path / "checkpoint").read_text() == file.read()


@settings(max_examples=30, deadline=None)
@given(
    st.dictionaries(
        st.text(alphabet="abc/_01", min_size=1, max_size=12),
        st.one_of(
            st.builds(
                lambda shape, dtype, seed: (
                    np.random.default_rng(seed).normal(size=shape) * 100
                ).astype(dtype),
                st.lists(st.integers(0, 4), max_size=3),
                st.sampled_from(
                    [
                        np.float32,
                        np.float64,
                        np.int32,
                        np.int64,
                        np.uint8,
                        np.bool_,
                        np.complex64,
                        np.float16,
                    ]
                ),
                st.integers(0, 10),
            ),
            st.lists(st.binary(max_size=40), max_size=5).map(
                lambda items: np.array([*items, b""], dtype=object)
            ),
        ),
        max_size=6,
    )
)
def test_any_tensors_round_trip(tmp_path_factory, tensors):
    prefix = str(tmp_path_factory.mktemp("roundtrip") / "model")
    checkpoint.save(prefix, list(tensors), list(tensors.values()))
    with checkpoint.open_reader(prefix) as reader:
        assert reader.shapes() == {n: list(np.shape(a)) for n, a in tensors.items()}
        for name, array in tensors.items():
            got = reader.read(name)
            assert got.dtype == array.dtype
            np.testing.assert_array_equal(got, array)


def test_fixed_width_and_unicode_strings_are_stored_as_tf_strings(tmp_path):
    prefix = str(tmp_path / "model")
    checkpoint.save(prefix, ["s", "u"], [np.array([b"ab", b"c"]), np.array(["xy", "z"])])
    with checkpoint.open_reader(prefix) as reader:
        assert reader.read("s").tolist() == [b"ab", b"c"]
        assert reader.read("u").tolist() == [b"xy", b"z"]
        assert reader.dtype("u") == tf.string


@settings(max_examples=50, deadline=None)
@given(st.dictionaries(st.binary(max_size=30), st.binary(max_size=300), max_size=60))
def test_any_table_round_trips_and_any_damage_is_data_loss(rows):
    entries = sorted(rows.items())
    data = table.build_table(entries)
    assert table.read_table(data, "t.index") == entries
    for cut in {0, len(data) // 2, len(data) - 1}:
        with pytest.raises(DataLossError, match=r"t\.index"):
            table.read_table(data[:cut], "t.index")


def _copy(prefix: str, tmp_path) -> str:
    for suffix in [".index", ".data-00000-of-00001"]:
        shutil.copy(fixture(prefix) + suffix, str(tmp_path / "m") + suffix)
    return str(tmp_path / "m")


def _damage(path, change) -> None:
    with open(path, "rb") as file:
        data = file.read()
    with open(path, "wb") as file:
        file.write(change(data))


def _read_all(prefix):
    reader = train.NewCheckpointReader(prefix)
    for name in reader.get_variable_to_shape_map():
        reader.get_tensor(name)


class TestDamagedFiles:
    """Each case is one of generate.py's damaged copies: TF reports DataLoss (or
    OutOfRange for a short data file); here it is DataLossError naming the file."""

    @pytest.mark.parametrize(
        "case,suffix,change,words",
        [
            (
                "data_truncated",
                ".data-00000-of-00001",
                lambda d: d[:30],
                "Read less bytes than requested",
            ),
            (
                "data_flipped",
                ".data-00000-of-00001",
                lambda d: d[:8] + bytes([d[8] ^ 0x40]) + d[9:],
                "Checksum does not match",
            ),
            ("index_truncated", ".index", lambda d: d[:100], "not an sstable (bad magic number)"),
            (
                "index_garbage",
                ".index",
                lambda d: b"garbage" * 30,
                "not an sstable (bad magic number)",
            ),
            (
                "index_flipped",
                ".index",
                lambda d: d[:20] + bytes([d[20] ^ 0x40]) + d[21:],
                "block checksum mismatch",
            ),
            ("index_empty", ".index", lambda d: b"", "file is too short to be an sstable"),
        ],
    )
    def test_data_loss_names_the_file(self, tmp_path, case, suffix, change, words):
        assert words in RECORDED["errors"][case]["message"]  # TF's own words for this damage
        prefix = _copy("dtypes/model-7", tmp_path)
        _damage(prefix + suffix, change)
        with pytest.raises(DataLossError) as caught:
            _read_all(prefix)
        assert words in caught.value.message
        assert f"{prefix}{suffix}" in caught.value.message

    def test_a_damaged_string_tensor_fails_its_length_checksum(self, tmp_path):
        prefix = _copy("dtypes/model-7", tmp_path)
        with checkpoint.open_reader(prefix) as reader:
            offset = reader.entries["text"].offset
        _damage(prefix + ".data-00000-of-00001", lambda d: d[:offset] + b"\x02" + d[offset + 1 :])
        with pytest.raises(DataLossError, match="The length checksum does not match"):
            train.load_variable(prefix, "text")

    def test_restore_of_a_damaged_file_is_data_loss_and_changes_nothing(self, graph, tmp_path):
        prefix = _copy("dtypes/model-7", tmp_path)
        _damage(prefix + ".data-00000-of-00001", lambda d: d[:-1] + bytes([d[-1] ^ 1]))
        w = v1.Variable(np.zeros((2, 3), np.float32), name="w")
        step = v1.Variable(np.int64(0), name="global_step")
        saver = train.Saver()
        with v1.Session(graph=graph) as sess:
            sess.run(v1.global_variables_initializer())
            with pytest.raises(
                DataLossError,
                match=r"m\.data-00000-of-00001: TensorBundle .* Checksum does not match",
            ):
                saver.restore(sess, prefix)
            assert sess.run(step) == 0 and not sess.run(w).any()

    def test_missing_key_and_missing_files_are_not_found(self, tmp_path):
        with pytest.raises(NotFoundError, match=RECORDED["errors"]["missing_key"]["message"]):
            train.NewCheckpointReader(fixture("dtypes/model-7")).get_tensor("nope")
        with pytest.raises(NotFoundError, match="Failed to find any matching files for"):
            train.NewCheckpointReader(str(tmp_path / "absent"))
        prefix = _copy("dtypes/model-7", tmp_path)
        os.remove(prefix + ".data-00000-of-00001")
        with pytest.raises(NotFoundError, match=r"m\.data-00000-of-00001; No such file"):
            train.load_variable(prefix, "w")


def _forged(tmp_path, change_entry, data=b"\0" * 64, name="t"):
    """A bundle whose one entry ``change_entry`` edits: what a hostile file can claim."""
    prefix = str(tmp_path / "forged")
    entry = tensor_bundle_pb2.BundleEntryProto(dtype=tf.float32.as_datatype_enum, size=4)
    entry.shape.dim.add(size=1)
    change_entry(entry)
    with open(prefix + ".index", "wb") as file:
        file.write(bundle.index_bytes({name: entry}))
    with open(prefix + ".data-00000-of-00001", "wb") as file:
        file.write(data)
    return prefix


class TestForgedClaims:
    @pytest.mark.parametrize(
        "change,words",
        [
            (
                lambda e: (setattr(e, "size", 2**40), e.shape.dim[0].__setattr__("size", 2**38)),
                "Read less bytes than requested",
            ),
            (lambda e: setattr(e, "offset", 2**50), "Read less bytes than requested"),
            (lambda e: e.shape.dim[0].__setattr__("size", 2**40), "needs 4398046511104 bytes"),
            (
                lambda e: (
                    setattr(e, "dtype", tf.string.as_datatype_enum),
                    e.shape.dim[0].__setattr__("size", 2**40),
                    setattr(e, "size", 64),
                ),
                "strings claimed in 64 bytes",
            ),
            (lambda e: setattr(e, "shard_id", 7), "is in shard 7"),
            (lambda e: e.shape.dim[0].__setattr__("size", -3), "negative"),
        ],
    )
    def test_claims_are_checked_before_allocating(self, tmp_path, change, words):
        prefix = _forged(tmp_path, change)
        tracemalloc.start()
        try:
            with pytest.raises(DataLossError, match=words):
                train.load_variable(prefix, "t")
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 1 << 20

    def test_a_huge_shard_count_costs_nothing(self, tmp_path):
        prefix = str(tmp_path / "forged")
        data = bundle.index_bytes({}, num_shards=2**30)
        with open(prefix + ".index", "wb") as file:
            file.write(data)
        assert train.NewCheckpointReader(prefix).get_variable_to_shape_map() == {}

    def test_a_slice_without_its_data_is_damage(self, tmp_path):
        prefix = _forged(tmp_path, lambda e: e.slices.add().extent.add(start=0, length=1))
        with pytest.raises(DataLossError, match="a slice of t has no data entry"):
            train.load_variable(prefix, "t")

    def test_a_newer_bundle_version_is_refused(self, tmp_path):
        prefix = str(tmp_path / "future")
        header = tensor_bundle_pb2.BundleHeaderProto(num_shards=1)
        header.version.producer = 5
        header.version.min_consumer = 3
        with open(prefix + ".index", "wb") as file:
            file.write(table.build_table([(b"", header.SerializeToString())]))
        with pytest.raises(tf.errors.InvalidArgumentError, match="version >= 3"):
            train.NewCheckpointReader(prefix)


def _first_format(prefix: str, tensors: dict) -> None:
    """A checkpoint in the project's first format: a JSON index and an .npz."""
    data = f"{os.path.basename(prefix)}.data-0a1b2c3d.npz"
    stored = {
        n: (np.array(a.tolist(), dtype=bytes) if a.dtype == object else a)
        for n, a in tensors.items()
    }
    np.savez(os.path.join(os.path.dirname(prefix), data), **stored)
    index = {
        "format": "tfgraph-checkpoint",
        "version": 1,
        "data": data,
        "tensors": {
            n: {"dtype": "string" if a.dtype == object else a.dtype.name, "shape": list(a.shape)}
            for n, a in tensors.items()
        },
    }
    with open(prefix + ".index", "w") as file:
        json.dump(index, file)


class TestFirstFormat:
    def test_npz_checkpoints_still_restore(self, graph, tmp_path):
        prefix = str(tmp_path / "old")
        _first_format(
            prefix,
            {
                "w": np.arange(6.0, dtype=np.float32).reshape(2, 3),
                "s": np.array([b"a", b"bc"], dtype=object),
            },
        )
        w = v1.Variable(np.zeros((2, 3), np.float32), name="w")
        s = v1.Variable(["", ""], name="s")
        saver = train.Saver()
        with v1.Session(graph=graph) as sess:
            saver.restore(sess, prefix)
            np.testing.assert_array_equal(sess.run(w), np.arange(6.0).reshape(2, 3))
            assert sess.run(s).tolist() == [b"a", b"bc"]
            assert train.list_variables(prefix) == [("s", [2]), ("w", [2, 3])]
            # Saving over it writes TF's format and removes the old data file.
            saver.save(sess, prefix)
        assert sorted(os.listdir(tmp_path)) == [
            "checkpoint",
            "old.data-00000-of-00001",
            "old.index",
            "old.meta",
        ]

    def test_a_forged_npz_header_is_refused_before_reading(self, tmp_path):
        prefix = str(tmp_path / "old")
        _first_format(prefix, {"w": np.zeros(4, np.float32)})
        path = str(tmp_path / "old.data-0a1b2c3d.npz")
        with zipfile.ZipFile(path) as archive:
            data = archive.read("w.npy")
        old, new = b"(4,), }", b"(99999999999,), }"
        start = data.index(old)
        end = data.index(b"\n", start)  # the header's space padding ends here: keep its length
        forged = (
            data[:start] + new + data[start + len(old) : end - (len(new) - len(old))] + data[end:]
        )
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("w.npy", forged)
        tracemalloc.start()
        try:
            with pytest.raises(DataLossError, match="claims 399999999996 bytes, and 16 follow"):
                train.load_variable(prefix, "w")
            assert tracemalloc.get_traced_memory()[1] < 1 << 20
        finally:
            tracemalloc.stop()
