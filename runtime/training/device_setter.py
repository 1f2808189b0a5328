"""``tf.compat.v1.train.replica_device_setter``: a device function for between-graph
replication, variables on ``ps`` tasks and compute on the worker.

Under ``tf.device(replica_device_setter(...))`` every op created gets a device: ops whose
type is a parameter-server op (variables, by default) go to a ``ps`` task chosen by
the strategy (round-robin by default, or :class:`GreedyLoadBalancingStrategy`: the
least loaded task, by bytes), every other op to ``worker_device``. Fields an inner
``tf.device`` already set are kept (``merge_devices``), as in TF.
"""

from __future__ import annotations

import numpy as np

from ..devices import DeviceSpec
from ..registry import get_op_def, is_registered
from ..shapes import TensorShape
from .server_lib import ClusterSpec

__all__ = ["GreedyLoadBalancingStrategy", "byte_size_load_fn", "replica_device_setter"]

STANDARD_PS_OPS = (
    "Variable",
    "VariableV2",
    "AutoReloadVariable",
    "MutableHashTable",
    "MutableHashTableV2",
    "MutableHashTableOfTensors",
    "MutableHashTableOfTensorsV2",
    "MutableDenseHashTable",
    "MutableDenseHashTableV2",
    "VarHandleOp",
    "BoostedTreesEnsembleResourceHandleOp",
    "BoostedTreesQuantileStreamResourceHandleOp",
    "ResourceConditionalAccumulator",
    "DecisionTreeResource",
)


class _RoundRobinStrategy:
    """The next ps task, in turn."""

    def __init__(self, num_tasks: int):
        self._num_tasks = num_tasks
        self._next = 0

    def __call__(self, op) -> int:
        task = self._next
        self._next = (self._next + 1) % self._num_tasks
        return task


class GreedyLoadBalancingStrategy:
    """The ps task with the least load so far; ``load_fn(op)`` is what ``op`` adds.

    TF 1.x's ``tf.contrib.training.GreedyLoadBalancingStrategy``: with
    :func:`byte_size_load_fn`, big variables spread over the tasks by bytes.

    Examples
    --------
    >>> import runtime as tf
    >>> greedy = GreedyLoadBalancingStrategy(2, byte_size_load_fn)
    >>> setter = tf.train.replica_device_setter(ps_tasks=2, ps_strategy=greedy)
    >>> with tf.Graph().as_default(), tf.device(setter):
    ...     big = tf.Variable(tf.zeros([100]), name="big")
    ...     small = tf.Variable(tf.zeros([10]), name="small")
    ...     tiny = tf.Variable(tf.zeros([1]), name="tiny")
    >>> [v.device for v in (big, small, tiny)]
    ['/job:ps/task:0', '/job:ps/task:1', '/job:ps/task:1']
    """

    def __init__(self, num_tasks: int, load_fn):
        self._load_fn = load_fn
        self._loads = np.zeros(num_tasks)

    def __call__(self, op) -> int:
        task = int(np.argmin(self._loads))
        self._loads[task] += self._load_fn(op)
        return task


def byte_size_load_fn(op) -> int:
    """The bytes of ``op``'s one output (a variable's value); ``ValueError`` when the op
    has several outputs or the output's shape is not fully known."""
    if len(op.outputs) != 1:
        raise ValueError(f"Op {op.name} must have a single output")
    output = op.outputs[0]
    shape = output.shape
    if not shape.is_fully_defined() and "shape" in op.attrs:
        shape = TensorShape(op.get_attr("shape"))
    if not shape.is_fully_defined():
        raise ValueError(f"Shape {shape} of op {op.name} is not fully defined")
    return shape.num_elements() * output.dtype.size


class _ReplicaDeviceChooser:
    def __init__(self, ps_tasks, ps_device, worker_device, merge_devices, ps_ops, ps_strategy):
        self._ps_tasks = ps_tasks
        self._ps_device = ps_device
        self._worker_device = worker_device
        self._merge_devices = merge_devices
        self._ps_ops = ps_ops
        self._ps_strategy = ps_strategy

    def device_function(self, op) -> str:
        if (not self._merge_devices and op.device) or _takes_reference(op):
            return op.device
        current = DeviceSpec.from_string(op.device or "")
        if self._ps_tasks and self._ps_device and op.type in self._ps_ops:
            ps = DeviceSpec.from_string(self._ps_device)
            # The task is chosen only when the op's own job (if any) is the ps job.
            if ps.job and (not current.job or current.job == ps.job):
                ps = ps.replace(task=self._ps_strategy(op))
            return ps.make_merged_spec(current).to_string()
        worker = DeviceSpec.from_string(self._worker_device or "")
        return worker.make_merged_spec(current).to_string()


def _takes_reference(op) -> bool:
    """An op taking a variable's reference (an ``Assign``): TF builds it colocated with
    the variable, so no device function sees it (and no ps task is spent on it); the
    placer puts it with the variable here."""
    if not is_registered(op.type) or not any(t.dtype.is_ref_dtype for t in op.inputs):
        return False
    op_def = get_op_def(op.type)
    return op_def.input_arity is not None and any(
        op.inputs[i].dtype.is_ref_dtype for i in op_def.ref_inputs if i < len(op.inputs)
    )


def replica_device_setter(
    ps_tasks=0,
    ps_device="/job:ps",
    worker_device="/job:worker",
    merge_devices=True,
    cluster=None,
    ps_ops=None,
    ps_strategy=None,
):
    """A device function placing variables on ``ps`` tasks and other ops on the worker.

    Parameters
    ----------
    ps_tasks : int
        The number of ``ps`` tasks (ignored when ``cluster`` is given).
    ps_device, worker_device : str
        Where parameter-server ops and the other ops go.
    merge_devices : bool
        Keep the fields an inner ``tf.device`` set (else an op with a device keeps it).
    cluster : dict, ClusterSpec or ClusterDef, optional
        The cluster: ``ps_tasks`` is its ps job's size.
    ps_ops : list of str, optional
        The op types that go to ps tasks (default: the variable ops).
    ps_strategy : callable, optional
        ``op -> ps task index`` (default round-robin).

    Returns
    -------
    A function for ``tf.device``, or ``None`` when there is no ps task.

    Examples
    --------
    >>> import runtime as tf
    >>> cluster = {"ps": ["ps0:2222", "ps1:2222"], "worker": ["w0:2222"]}
    >>> with tf.Graph().as_default():
    ...     with tf.device(tf.train.replica_device_setter(cluster=cluster)):
    ...         a = tf.Variable(1.0, name="a")
    ...         b = tf.Variable(2.0, name="b")
    ...         total = tf.add(a, b, name="total")
    >>> a.device, b.device, total.device
    ('/job:ps/task:0', '/job:ps/task:1', '/job:worker')
    """
    if cluster is not None:
        spec = (
            cluster.as_dict()
            if isinstance(cluster, ClusterSpec)
            else ClusterSpec(cluster).as_dict()
        )
        ps_job = DeviceSpec.from_string(ps_device).job
        if ps_job not in spec or spec[ps_job] is None:
            return None
        ps_tasks = len(spec[ps_job])
    if ps_tasks == 0:
        return None
    if ps_ops is None:
        ps_ops = list(STANDARD_PS_OPS)
    if ps_strategy is None:
        ps_strategy = _RoundRobinStrategy(ps_tasks)
    if not callable(ps_strategy):
        raise TypeError("ps_strategy must be callable")
    chooser = _ReplicaDeviceChooser(
        ps_tasks, ps_device, worker_device, merge_devices, ps_ops, ps_strategy
    )
    return chooser.device_function
