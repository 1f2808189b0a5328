"""TF's mode switches (``tf.disable_eager_execution``, ``tf.disable_v2_behavior`` ...).

The runtime has one mode, TF1's graph mode with TF1's behaviour, so the switches TF1
programs call to get there are accepted and do nothing, the predicates answer for that
mode, and the switches that ask for something else say why they cannot.

Examples
--------
>>> import runtime as tf
>>> tf.disable_v2_behavior()
>>> tf.executing_eagerly(), tf.resource_variables_enabled()
(False, False)
"""

from __future__ import annotations

__all__ = [
    "disable_eager_execution",
    "disable_resource_variables",
    "disable_tensor_equality",
    "disable_v2_behavior",
    "disable_v2_tensorshape",
    "enable_eager_execution",
    "enable_resource_variables",
    "executing_eagerly",
    "executing_eagerly_outside_functions",
    "resource_variables_enabled",
]


def disable_eager_execution() -> None:
    """Accepted for TF1 code: graph mode is the only mode here."""


def disable_v2_behavior() -> None:
    """Accepted for TF1 code: TF1's behaviour is the only behaviour here."""


def disable_v2_tensorshape() -> None:
    """Accepted for TF1 code: ``TensorShape`` behaves as TF's does either way here."""


def disable_resource_variables() -> None:
    """Accepted for TF1 code: ``tf.Variable`` makes TF1's reference variables."""


def enable_resource_variables() -> None:
    """Accepted for TF1 code that asks for resource variables; variables stay reference
    variables, so :func:`resource_variables_enabled` still answers ``False``.

    A TF1 program sees the same values either way: a read ordered after an update (in a
    ``control_dependencies`` block) sees it. What differs is what the graph shows: a
    variable's ``dtype`` is ``float32_ref`` (``float32`` for a resource variable) and its
    ops are ``VariableV2``, ``Assign`` and ``Identity`` (``VarHandleOp``,
    ``AssignVariableOp`` and ``ReadVariableOp``).

    Examples
    --------
    >>> import runtime as tf
    >>> tf.enable_resource_variables()
    >>> with tf.Graph().as_default():
    ...     v = tf.Variable(1.0, name="v")
    >>> tf.resource_variables_enabled(), v.dtype
    (False, tf.float32_ref)
    """


def disable_tensor_equality() -> None:
    """Accepted for TF1 code: tensors compare by identity and hash by ``id``, as in TF1."""


def enable_eager_execution(config=None, device_policy=None, execution_mode=None) -> None:
    """Refused: eager execution needs an eager runtime, and this one builds graphs.

    Raises
    ------
    RuntimeError
        Always, saying how to run the same code here.

    Examples
    --------
    >>> enable_eager_execution()
    Traceback (most recent call last):
    ...
    RuntimeError: runtime runs graphs in sessions; eager execution is not available. ...
    """
    raise RuntimeError(
        "runtime runs graphs in sessions; eager execution is not available. Build the "
        "graph and run it with tf.Session().run(...) instead."
    )


def executing_eagerly() -> bool:
    """Always ``False``: graphs are built and run in sessions."""
    return False


def executing_eagerly_outside_functions() -> bool:
    """Always ``False``: outside function bodies too, graphs are built, not run."""
    return False


def resource_variables_enabled() -> bool:
    """Always ``False``: ``tf.Variable`` makes TF1's reference variables."""
    return False
