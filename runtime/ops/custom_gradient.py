"""``tf.custom_gradient``: a function whose gradient is another function, as TF builds it
in a graph.

The decorated ``f(*args)`` returns ``(y, grad_fn)``. Its results, its arguments and the
variables it reads pass through one ``IdentityN`` op whose gradient is overridden
(``Graph.gradient_override_map``) by a gradient registered for this call alone
(``CustomGradient-<n>``): ``tf.gradients`` then calls ``grad_fn`` with the gradients of
``y`` and gives its results to the arguments (and the variables), in place of
differentiating ``f``'s ops.
"""

from __future__ import annotations

import functools
import inspect
import itertools

from .. import nest
from ..graph import get_default_graph, graph_of
from ..graph_keys import GraphKeys
from ..registry import register_gradient
from .core import convert_to_tensor
from .placeholder_ops import identity_n

__all__ = ["custom_gradient"]

_call_ids = itertools.count(1)
_VARIABLE_OPS = ("VariableV2", "VarHandleOp")


def custom_gradient(f=None):
    """Decorate ``f(*args) -> (y, grad_fn)`` so that ``y``'s gradient is ``grad_fn``'s.

    Parameters
    ----------
    f : callable
        Takes tensors (positional arguments only, as in TF's graph mode) and returns
        ``y`` (a tensor or nested structure of tensors) and ``grad_fn(*grad_ys)``,
        which returns the gradients of the arguments (one per argument). If ``f``
        reads variables, ``grad_fn`` takes them as ``variables=`` and returns
        ``(grad_xs, grad_vars)``.

    Returns
    -------
    callable
        Gives ``f``'s ``y``; ``tf.gradients`` through it calls ``grad_fn``.
        ``custom_gradient()`` without ``f`` is the decorator itself.

    Raises
    ------
    ValueError
        Keyword arguments (TF takes them only eagerly).
    TypeError
        ``f`` creates variables (TF asks for resource variables there, which TF1
        graphs do not make), or reads variables and ``grad_fn`` takes no
        ``variables``.

    Examples
    --------
    >>> import runtime as tf
    >>> @custom_gradient
    ... def clipped_identity(x):
    ...     return tf.identity(x), lambda dy: tf.clip_by_value(dy, -1.0, 1.0)
    >>> with tf.Graph().as_default():
    ...     x = tf.constant([1.0, 2.0])
    ...     y = clipped_identity(x) * 5.0
    ...     print(tf.Session().run(tf.gradients(y, x)[0]))
    [1. 1.]
    """
    if f is None:
        return custom_gradient

    @functools.wraps(f)
    def decorated(*args, **kwargs):
        if kwargs:
            raise ValueError(
                "The custom_gradient decorator currently supports keywords arguments only "
                "when eager execution is enabled."
            )
        return _graph_mode_call(f, args)

    return decorated


def _graph_mode_call(f, args):
    graph = graph_of(nest.flatten(args)) if nest.flatten(args) else get_default_graph()
    with graph.as_default():
        args = nest.map_structure(convert_to_tensor, args)
        before = _all_variables(graph)
        result, grad_fn = f(*args)
        if _all_variables(graph) - before:
            raise TypeError(
                "All variables used by a function wrapped with @custom_gradient must be "
                "`ResourceVariable`s. Ensure that no `variable_scope` is created with "
                "`use_resource=False`."
            )
        flat_args = nest.flatten(args)
        flat_result = [convert_to_tensor(t) for t in nest.flatten(result)]
        variables = _variables_between(graph, flat_args, flat_result)
        takes_variables = _takes_variables(grad_fn)
        if variables and not takes_variables:
            raise TypeError(
                "@tf.custom_gradient grad_fn must accept keyword argument 'variables', since "
                f"function uses variables: {variables}"
            )
        name = f"CustomGradient-{next(_call_ids)}"
        register_gradient(name)(_gradient(grad_fn, len(flat_result), variables))
        with graph.gradient_override_map({"IdentityN": name}):
            passed = identity_n(flat_result + flat_args + [v.value() for v in variables])
    return nest.pack_sequence_as(result, passed[: len(flat_result)])


def _gradient(grad_fn, result_count: int, variables: list):
    """The gradient of the ``IdentityN``: ``grad_fn``'s, placed on its inputs."""

    def gradient(unused_op, *grads):
        result_grads = grads[:result_count]  # one per tensor of ``y``, flattened
        if variables:
            input_grads, variable_grads = grad_fn(*result_grads, variables=variables)
            if len(variable_grads) != len(variables):
                raise ValueError(
                    "Must return gradient for each variable from @custom_gradient grad_fn."
                )
        else:
            input_grads, variable_grads = grad_fn(*result_grads), []
        return [None] * result_count + nest.flatten(input_grads) + list(variable_grads)

    return gradient


def _all_variables(graph) -> set:
    return {
        id(v)
        for key in (GraphKeys.GLOBAL_VARIABLES, GraphKeys.LOCAL_VARIABLES)
        for v in graph.get_collection(key)
    }


def _variables_between(graph, inputs: list, outputs: list) -> list:
    """The trainable variables ``outputs`` read, walking back from them and stopping
    at ``inputs``; sorted by name, as TF's."""
    stop = {id(t) for t in inputs}
    seen, stack, variable_ops = set(), [t.op for t in outputs if id(t) not in stop], set()
    while stack:
        op = stack.pop()
        if op in seen:
            continue
        seen.add(op)
        if op.type in _VARIABLE_OPS:
            variable_ops.add(op.name)
        stack.extend(t.op for t in op.inputs if id(t) not in stop)
    found = [
        v
        for v in graph.get_collection(GraphKeys.GLOBAL_VARIABLES)
        if getattr(v, "op", None) is not None and v.op.name in variable_ops and v.trainable
    ]
    return sorted(found, key=lambda v: v.name)


def _takes_variables(grad_fn) -> bool:
    spec = inspect.getfullargspec(grad_fn)
    return "variables" in spec.args or "variables" in spec.kwonlyargs or bool(spec.varkw)
