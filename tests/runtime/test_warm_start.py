"""``tf.train.warm_start`` and ``VocabInfo`` against TF 2.21: a checkpoint written by TF,
the new model's values after warm-starting as TF gave them (recorded by
``tests/fixtures/tf_warm_start/generate.py``, whose scenarios these mirror)."""

import json
import os
import shutil

import numpy as np
import pytest

import runtime as tf
from tests.fixtures.tf_warm_start.programs import (
    CKPT,
    HERE,
    bad_calls,
    new_model,
    row_vocab,
    scenarios,
)

tf1 = tf.compat.v1
EXPECTED = np.load(os.path.join(HERE, "expected.npz"))
with open(os.path.join(HERE, "errors.json")) as errors_file:
    ERRORS = json.load(errors_file)


SCENARIOS = scenarios(tf1)
BAD_CALLS = bad_calls(tf1)


def _warm_started(ckpt, kwargs_of, partitioned=False):
    with tf.Graph().as_default():
        variables = new_model(tf1, partitioned)
        tf1.train.warm_start(ckpt, **kwargs_of(variables))
        with tf1.Session() as sess:
            sess.run(tf1.global_variables_initializer())
            return sess.run({name: tf.convert_to_tensor(v) for name, v in variables.items()})


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_values_as_tfs(scenario):
    got = _warm_started(CKPT, SCENARIOS[scenario], scenario.endswith("partitioned"))
    for name, value in got.items():
        np.testing.assert_allclose(value, EXPECTED[f"{scenario}/{name}"], err_msg=name)


def test_a_directory_means_its_latest_checkpoint(tmp_path):
    shutil.copytree(os.path.join(HERE, "old"), tmp_path / "old")
    got = _warm_started(str(tmp_path / "old"), SCENARIOS["all"])
    np.testing.assert_allclose(got["emb"], EXPECTED["all/emb"])


def test_vocab_info_is_tfs_namedtuple():
    info = tf1.train.VocabInfo("new.txt", 3, 1, "old.txt")
    assert info._fields == (
        "new_vocab",
        "new_vocab_size",
        "num_oov_buckets",
        "old_vocab",
        "old_vocab_size",
        "backup_initializer",
        "axis",
    )
    assert (info.old_vocab_size, info.backup_initializer, info.axis) == (-1, None, 0)
    kind, message = ERRORS["bad_axis"]
    assert kind == "ValueError"
    with pytest.raises(ValueError) as raised:
        tf1.train.VocabInfo("a", 1, 0, "b", axis=2)
    assert str(raised.value) == message


@pytest.mark.parametrize("case", sorted(BAD_CALLS))
def test_errors_as_tfs(case):
    kind, message = ERRORS[case]
    assert kind == "ValueError"
    with tf.Graph().as_default():
        new_model(tf1)
        with pytest.raises(ValueError) as raised:
            tf1.train.warm_start(CKPT, **BAD_CALLS[case])
    # TF's message up to the checkpoint's path (which differs) or its dict's order.
    head = message.split(" is not found in ")[0].split("{")[0]
    assert str(raised.value).startswith(head)


def test_a_vocabulary_that_does_not_give_the_variables_size_is_refused():
    with tf.Graph().as_default():
        tf1.get_variable("emb", [7, 2])  # 4 words and 1 OOV bucket give 5 rows
        with pytest.raises(ValueError, match=r"Shape of variable emb:0 \(\[7, 2\]\)"):
            tf1.train.warm_start(CKPT, var_name_to_vocab_info={"emb": row_vocab(tf1)})
