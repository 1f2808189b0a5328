"""The ResourceApply* update ops (TF 2.x graphs with resource variables) compute what
their Apply* counterparts compute on reference variables."""

from __future__ import annotations

import numpy as np
import pytest

import runtime as tf
from runtime.ops.core import apply_op
from runtime.registry import get_op_def

v1 = tf.compat.v1
SCALARS = {
    "alpha": 0.1,
    "lr": 0.05,
    "momentum": 0.9,
    "beta1_power": 0.81,
    "beta2_power": 0.98,
    "beta1": 0.9,
    "beta2": 0.99,
    "epsilon": 1e-7,
    "rho": 0.95,
}
VARIABLES = ["var", "accum", "accum_update", "m", "v", "ms", "mom", "mg"]
FORMS = [
    "GradientDescent", "Momentum", "Adam", "RMSProp", "CenteredRMSProp", "Adagrad", "Adadelta",
]  # fmt: skip


def _handle(name, value):
    handle = apply_op(
        "VarHandleOp", [], name, dtype=tf.float32, shape=tf.TensorShape([3]), shared_name=name
    ).outputs[0]
    return handle, apply_op("AssignVariableOp", [handle, value], f"{name}/init", dtype=tf.float32)


@pytest.mark.parametrize("form", FORMS)
def test_resource_form_computes_what_the_reference_form_does(graph, form):
    rng = np.random.default_rng(0)
    ref_def, resource_def = get_op_def(f"Apply{form}"), get_op_def(f"ResourceApply{form}")
    names = ref_def.input_names
    starts = {n: rng.uniform(0.5, 1.5, 3).astype(np.float32) for n in VARIABLES}
    grad = rng.normal(size=3).astype(np.float32)
    refs, handles, inits = [], [], []
    values = []
    for name in names:
        if name in VARIABLES:
            variable = v1.Variable(starts[name], name=f"ref_{name}")
            handle, init = _handle(f"res_{name}", starts[name])
            refs.append(variable._ref())
            handles.append(handle)
            inits += [variable.initializer, init]
        else:
            values.append(grad if name in ("grad", "delta") else np.float32(SCALARS[name]))
    updated_ref = apply_op(ref_def, [*refs, *values], "ref_apply").outputs[0]
    updated = apply_op(resource_def, [*handles, *values], "resource_apply")
    read = apply_op("ReadVariableOp", [handles[0]], "read", dtype=tf.float32).outputs[0]
    with v1.Session() as sess:
        sess.run(inits)
        want = sess.run(updated_ref)
        sess.run(updated)
        np.testing.assert_allclose(sess.run(read), want, rtol=1e-6)
    assert resource_def.is_stateful and not updated.outputs
