"""DeviceSpec parsing/merging/printing, local devices and their attributes."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import runtime as tf
from runtime.devices import (
    CPU_MEMORY_LIMIT_BYTES,
    DeviceAttributes,
    DeviceSpec,
    canonical_name,
    local_devices,
    merge_device,
)
from runtime.errors import InvalidArgumentError


def test_exported_as_tf_device_spec():
    assert tf.DeviceSpec is DeviceSpec


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("", ""),
        ("/cpu:0", "/device:CPU:0"),
        ("/CPU:1", "/device:CPU:1"),
        ("/gpu:*", "/device:GPU:*"),
        ("cpu:0", "/device:CPU:0"),
        ("/device:gpu:1", "/device:GPU:1"),
        ("/device:CPU", "/device:CPU:*"),
        ("/device:TPU:3", "/device:TPU:3"),
        ("/job:ps", "/job:ps"),
        (
            "/job:worker/replica:0/task:3/cpu:1",
            "/job:worker/replica:0/task:3/device:CPU:1",
        ),
        ("/task:1/job:w", "/job:w/task:1"),
    ],
)
def test_parse_and_print_canonically(text, canonical):
    assert DeviceSpec.from_string(text).to_string() == canonical
    assert canonical_name(text) == canonical
    assert str(DeviceSpec.from_string(text)) == canonical


def test_fields():
    spec = DeviceSpec.from_string("/job:ps/replica:1/task:2/device:GPU:3")
    assert (spec.job, spec.replica, spec.task, spec.device_type, spec.device_index) == (
        "ps",
        1,
        2,
        "GPU",
        3,
    )
    assert DeviceSpec.from_string("/gpu:*").device_index is None
    assert DeviceSpec.from_string(None) == DeviceSpec()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("/job:foo/bar:1", r"Unknown attribute: 'bar:1' in '/job:foo/bar:1'"),
        ("/job:", r"Unknown attribute: 'job:' in '/job:'"),
        ("/cpu:0/gpu:0", r"Cannot specify multiple device types: /cpu:0/gpu:0"),
        ("/device:CPU:0/device:GPU:0", r"Cannot specify multiple device types"),
        ("/device:CPU:x", r"Device index must be a non-negative integer: 'x' in '/device:CPU:x'"),
        ("/replica:-1", r"Device replica must be a non-negative integer: '-1'"),
        ("/task:1.5", r"Device task must be a non-negative integer: '1.5'"),
    ],
)
def test_parse_errors(text, message):
    with pytest.raises(ValueError, match=message):
        DeviceSpec.from_string(text)


def test_constructor_normalises_like_tf():
    spec = DeviceSpec(job="w", replica="0", task=1, device_type="gpu", device_index="2")
    assert spec == DeviceSpec.from_string("/job:w/replica:0/task:1/device:GPU:2")
    with pytest.raises(ValueError, match="Device task must be a non-negative integer: 'x'"):
        DeviceSpec(task="x")


def test_immutable_replace_and_merge():
    spec = DeviceSpec(job="train")
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.job = "other"
    assert spec.replace(task=2).to_string() == "/job:train/task:2"
    assert spec.to_string() == "/job:train"
    merged = spec.make_merged_spec(DeviceSpec(device_type="GPU", device_index=1))
    assert merged.to_string() == "/job:train/device:GPU:1"
    # the other spec's set fields win
    assert merged.make_merged_spec(DeviceSpec(job="ps")).job == "ps"


def test_equality_and_hash():
    assert DeviceSpec(job="a") == DeviceSpec.from_string("/job:a")
    assert len({DeviceSpec(job="a"), DeviceSpec.from_string("/job:a")}) == 1
    assert DeviceSpec(job="a") != DeviceSpec(job="b")


def test_matches():
    full = DeviceSpec.from_string("/job:localhost/replica:0/task:0/device:CPU:1")
    assert DeviceSpec.from_string("/cpu:1").matches(full)
    assert DeviceSpec.from_string("/device:CPU:*").matches(full)
    assert not DeviceSpec.from_string("/cpu:0").matches(full)
    assert not DeviceSpec.from_string("/job:ps").matches(full)


def test_merge_device_inner_fields_win():
    assert merge_device("/job:ps/device:CPU:0", "/device:GPU:1") == "/job:ps/device:GPU:1"
    assert merge_device("/job:ps", "") == "/job:ps"
    assert merge_device("", "/cpu:0") == "/device:CPU:0"


_fields = st.fixed_dictionaries(
    {},
    optional={
        "job": st.sampled_from(["ps", "worker", "localhost"]),
        "replica": st.integers(0, 2),
        "task": st.integers(0, 3),
        "device_type": st.sampled_from(["CPU", "GPU"]),
        "device_index": st.integers(0, 3),
    },
)


@settings(deadline=None, max_examples=200)
@given(_fields, _fields)
def test_merge_is_a_fieldwise_override(outer, inner):
    expected = {**outer, **inner}
    merged = DeviceSpec(**outer).make_merged_spec(DeviceSpec(**inner))
    assert merged == DeviceSpec(**expected)
    # Strings cannot carry an index without a type (TF drops it too), so compare the
    # string merge with the merge of what the strings say.
    outer_text, inner_text = DeviceSpec(**outer).to_string(), DeviceSpec(**inner).to_string()
    expected_spec = DeviceSpec.from_string(outer_text).make_merged_spec(
        DeviceSpec.from_string(inner_text)
    )
    assert merge_device(outer_text, inner_text) == expected_spec.to_string()


@settings(deadline=None, max_examples=100)
@given(_fields)
def test_to_string_round_trips(fields):
    spec = DeviceSpec(**fields)
    if spec.device_type is None:
        spec = spec.replace(device_index=None)
    assert DeviceSpec.from_string(spec.to_string()) == spec


def test_local_devices():
    devices = local_devices({"CPU": 3})
    assert [d.name for d in devices] == [
        f"/job:localhost/replica:0/task:0/device:CPU:{i}" for i in range(3)
    ]
    assert all(d.device_type == "CPU" for d in devices)
    assert all(d.memory_limit_bytes == CPU_MEMORY_LIMIT_BYTES == d.memory_limit for d in devices)
    assert all(d.incarnation != 0 for d in devices)
    assert len({d.incarnation for d in devices}) == 3
    assert [d.name for d in local_devices()] == ["/job:localhost/replica:0/task:0/device:CPU:0"]
    assert local_devices(job="worker", task=2)[0].name.startswith("/job:worker/replica:0/task:2")


def test_no_gpu_without_a_gpu_library():
    # device_count may ask for GPUs; only ones that exist are listed
    assert [d.device_type for d in local_devices({"CPU": 1, "GPU": 2})] == ["CPU"]


def test_zero_cpus_is_an_error():
    with pytest.raises(InvalidArgumentError, match=r"device_count\['CPU'\] must be >= 1, got 0"):
        local_devices({"CPU": 0})


def test_device_attributes_canonical_name_and_repr():
    d = DeviceAttributes("/job:worker/replica:0/task:3/cpu:1", "CPU", 1024, 77)
    assert d.name == "/job:worker/replica:0/task:3/device:CPU:1"
    assert (d.device_type, d.memory_limit_bytes, d.memory_limit, d.incarnation) == (
        "CPU",
        1024,
        1024,
        77,
    )
    assert repr(d) == "_DeviceAttributes(/job:worker/replica:0/task:3/device:CPU:1, CPU, 1024, 77)"
    assert d.spec.device_index == 1
