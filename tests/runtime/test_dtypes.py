"""DType: names, enums, numpy mapping, reference types, conversions and their errors."""

from __future__ import annotations

import numpy as np
import pytest

import runtime as tf
from runtime import dtypes

ALL = [
    tf.float16,
    tf.float32,
    tf.float64,
    tf.int8,
    tf.int16,
    tf.int32,
    tf.int64,
    tf.uint8,
    tf.uint16,
    tf.uint32,
    tf.uint64,
    tf.bool,
    tf.string,
    tf.complex64,
    tf.complex128,
]


@pytest.mark.parametrize("dtype", ALL, ids=lambda d: d.name)
def test_round_trips_through_name_enum_and_numpy(dtype):
    assert tf.as_dtype(dtype.name) is dtype
    assert tf.as_dtype(dtype.as_datatype_enum) is dtype
    assert tf.as_dtype(dtype) is dtype
    if dtype is not tf.string:
        assert tf.as_dtype(np.dtype(dtype.as_numpy_dtype)) is dtype
        assert tf.as_dtype(dtype.as_numpy_dtype) is dtype


def test_tf_enum_values_match_types_proto():
    assert [tf.float32.as_datatype_enum, tf.int32.as_datatype_enum, tf.string.as_datatype_enum] == [
        1,
        3,
        7,
    ]
    assert tf.float32._as_ref.as_datatype_enum == 101


def test_aliases():
    assert tf.half is tf.float16 and tf.double is tf.float64
    assert tf.as_dtype("float") is tf.float32 and tf.as_dtype("double") is tf.float64


def test_python_and_numpy_types():
    assert tf.as_dtype(float) is tf.float32
    assert tf.as_dtype(bool) is tf.bool
    assert tf.as_dtype(np.bool_) is tf.bool
    assert tf.as_dtype(bytes) is tf.string
    assert tf.as_dtype(np.dtype("<U3")) is tf.string
    assert tf.as_dtype(np.object_) is tf.string


def test_ref_dtypes():
    ref = tf.float32._as_ref
    assert ref.name == "float32_ref" and ref.is_ref_dtype
    assert ref.base_dtype is tf.float32 and ref._as_ref is ref
    assert tf.float32._as_ref is ref  # interned
    assert tf.as_dtype("float32_ref") is ref
    assert tf.as_dtype(101) is ref
    assert not tf.float32.is_ref_dtype
    assert ref != tf.float32


def test_compatibility_accepts_a_ref_where_a_value_is_expected():
    assert tf.float32.is_compatible_with(tf.float32._as_ref)
    assert not tf.float32._as_ref.is_compatible_with(tf.float32)
    assert not tf.float32.is_compatible_with(tf.float64)


def test_equality_with_other_spellings_and_hash():
    assert tf.float32 == "float32" and tf.float32 == np.float32
    assert tf.float32 != tf.int32
    assert tf.float32.__eq__(None) is False
    assert tf.float32 != "no such type"
    assert len({tf.float32, tf.as_dtype("float32"), tf.int32}) == 2


def test_properties():
    assert tf.float16.is_floating and not tf.float16.is_integer
    assert tf.uint8.is_integer and tf.uint8.is_unsigned and not tf.int8.is_unsigned
    assert tf.complex64.is_complex and tf.complex64.real_dtype is tf.float32
    assert tf.complex128.real_dtype is tf.float64 and tf.float32.real_dtype is tf.float32
    assert tf.bool.is_bool and not tf.bool.is_numeric
    assert tf.string.size == 0 and tf.int64.size == 8
    assert (tf.uint8.min, tf.uint8.max) == (0, 255)
    assert tf.int64.min == -(2**63)
    assert tf.float32.max == np.finfo(np.float32).max
    assert (tf.bool.min, tf.bool.max) == (False, True)


def test_min_of_a_string_type_raises():
    with pytest.raises(TypeError, match=r"Cannot find minimum value of <dtype: 'string'>"):
        _ = tf.string.min
    with pytest.raises(TypeError, match=r"Cannot find maximum value of <dtype: 'string'>"):
        _ = tf.string.max


def test_str_and_repr_follow_tf():
    assert str(tf.float32) == "<dtype: 'float32'>"
    assert repr(tf.float32) == "tf.float32"


@pytest.mark.parametrize("bad", ["float33", 999, None, object(), [1]])
def test_unconvertible_values_raise_type_error(bad):
    with pytest.raises(TypeError, match=r"Cannot convert .* to a TensorFlow DType"):
        tf.as_dtype(bad)


def test_typo_gets_a_did_you_mean():
    with pytest.raises(TypeError, match="Did you mean: float32"):
        tf.as_dtype("float33")


def test_short_names_used_in_run_time_messages():
    assert dtypes.short_name(tf.float32) == "float"
    assert dtypes.short_name(tf.float64._as_ref) == "double"
    assert dtypes.short_name(tf.int32) == "int32"


def test_pickles_to_the_interned_dtype():
    import pickle

    assert pickle.loads(pickle.dumps(tf.int16)) is tf.int16
    assert pickle.loads(pickle.dumps(tf.int16._as_ref)) is tf.int16._as_ref
