"""``SyncReplicasOptimizer``: synchronous data-parallel training, as TF1 builds it.

Each replica (a thread, a worker) runs the ``train_op``: it puts its gradients in one
conditional accumulator per variable, stamped with its local step, then waits for a
token from the ``sync_token_q`` queue. The chief's queue runner takes the mean of
``replicas_to_aggregate`` gradients from each accumulator (gradients from an older step
are stale and dropped), applies them with the wrapped optimizer, advances the global step
and puts ``total_num_replicas`` tokens (the new global step) in the queue, so every replica
goes on with the new step. The initial tokens carry the global step of the start, so
the round after the first is stale (TF's way of surviving a chief's restart).

Replicas are threads sharing one session (they then share one local step, as in TF), or
workers of a cluster, each with its own graph and session (between-graph replication): the
accumulators and the queue are found by their shared names on the tasks holding them.

With ``variable_averages``, the averaging runs after the tokens are handed out. It reads
the variables through their snapshots (``v/read``): here it sees the values from before
the step's update, one step behind TF, whose reference variables alias the updated buffer.
"""

from __future__ import annotations

from ..graph_keys import GraphKeys
from ..indexed_slices import IndexedSlices
from ..ops.array_ops import fill
from ..ops.control_flow_ops import group, no_op
from ..ops.data_flow_ops import ConditionalAccumulator, FIFOQueue, SparseConditionalAccumulator
from ..ops.variables import Variable, assign, global_variables, report_uninitialized_variables
from ..scopes import control_dependencies, device, name_scope
from ..tf_logging import info
from .optimizer import Optimizer
from .queue_runner import QueueRunner
from .session_manager import _ready
from .session_run_hook import SessionRunHook

__all__ = ["SyncReplicasOptimizer"]


class SyncReplicasOptimizer(Optimizer):
    """Aggregates the gradients of ``replicas_to_aggregate`` replicas before each update of
    the wrapped optimizer ``opt`` (``tf.compat.v1.train.SyncReplicasOptimizer``).

    ``apply_gradients`` returns the replicas' train op; the chief runs
    ``get_chief_queue_runner()`` and ``get_init_tokens_op()`` (or uses
    ``make_session_run_hook(is_chief=True)`` with a monitored session, which runs them).

    Examples
    --------
    Two replicas as threads of one monitored session; with no initial tokens
    (``num_tokens=0``) each round of both replicas is one update of the mean gradient:

    >>> import threading, runtime as tf
    >>> with tf.Graph().as_default():
    ...     w = tf.Variable(0.0)
    ...     step = tf.compat.v1.train.get_or_create_global_step()
    ...     sync = SyncReplicasOptimizer(tf.compat.v1.train.GradientDescentOptimizer(0.5), 2)
    ...     train_op = sync.minimize(-w, global_step=step)  # a gradient of -1 per replica
    ...     hook = sync.make_session_run_hook(is_chief=True, num_tokens=0)
    ...     with tf.compat.v1.train.MonitoredSession(
    ...         hooks=[hook], stop_grace_period_secs=0.1
    ...     ) as sess:
    ...         for _ in range(3):
    ...             replicas = [threading.Thread(target=sess.run, args=(train_op,))
    ...                         for _ in range(2)]
    ...             _ = [t.start() for t in replicas]; _ = [t.join() for t in replicas]
    ...         print(*sess.run([step, w]))
    3 1.5
    """

    def __init__(
        self,
        opt,
        replicas_to_aggregate,
        total_num_replicas=None,
        variable_averages=None,
        variables_to_average=None,
        use_locking=False,
        name="sync_replicas",
    ):
        if total_num_replicas is None:
            total_num_replicas = replicas_to_aggregate
        super().__init__(use_locking, name)
        info(
            "SyncReplicasV2: replicas_to_aggregate=%s; total_num_replicas=%s",
            replicas_to_aggregate,
            total_num_replicas,
        )
        self._opt = opt
        self._replicas_to_aggregate = replicas_to_aggregate
        self._total_num_replicas = total_num_replicas
        self._tokens_per_step = max(total_num_replicas, replicas_to_aggregate)
        self._variable_averages = variable_averages
        self._variables_to_average = variables_to_average
        self._gradients_applied = False
        self._global_step = None
        self._sync_token_queue = None
        self._chief_queue_runner = None
        self._accumulator_list: list = []

    def compute_gradients(self, *args, **kwargs):
        """The wrapped optimizer's gradients (aggregated later, in ``apply_gradients``)."""
        return self._opt.compute_gradients(*args, **kwargs)

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        """The replicas' train op: accumulate this replica's gradients, then wait for the
        chief's token (see the module docstring). ``global_step`` is required."""
        grads_and_vars = list(grads_and_vars)
        if not grads_and_vars:
            raise ValueError("Must supply at least one variable")
        if global_step is None:
            raise ValueError("Global step is required to check staleness")
        self._global_step = global_step
        graph = global_step.graph
        with graph.colocate_with(no_op()):
            self._local_step = Variable(
                0,
                trainable=False,
                collections=[GraphKeys.LOCAL_VARIABLES],
                dtype=global_step.dtype.base_dtype,
                name="sync_rep_local_step",
            )
        self.local_step_init_op = assign(self._local_step, global_step)
        chief_init_ops = [self.local_step_init_op]
        self.ready_for_local_init_op = report_uninitialized_variables(global_variables())
        train_ops, aggregated, variables = [], [], []
        with name_scope(None, self._name):
            for grad, var in grads_and_vars:
                variables.append(var)
                with device(var.device):
                    if grad is None:
                        aggregated.append(None)
                        continue
                    accumulator, apply, take = self._accumulated(grad, var)
                    train_ops.append(apply)
                    aggregated.append(take)
                    self._accumulator_list.append((accumulator, var.device))
            with device(global_step.device), name_scope(""):
                update_op = self._opt.apply_gradients(zip(aggregated, variables), global_step)
                self._sync_token_queue = FIFOQueue(
                    -1,
                    global_step.dtype.base_dtype,
                    shapes=(),
                    name="sync_token_q",
                    shared_name="sync_token_q",
                )
                with control_dependencies(train_ops):
                    token = self._sync_token_queue.dequeue()
                train_op = assign(self._local_step, token)
                with control_dependencies([update_op]):
                    # Read inside the dependency: the tokens carry the *new* global step.
                    tokens = fill([self._tokens_per_step], global_step.read_value())
                    sync_op = self._sync_token_queue.enqueue_many((tokens,))
                if self._variable_averages is not None:
                    with control_dependencies([sync_op]), name_scope(""):
                        sync_op = self._variable_averages.apply(self._variables_to_average)
                self._chief_queue_runner = QueueRunner(self._sync_token_queue, [sync_op])
            for accumulator, where in self._accumulator_list:
                with device(where):
                    chief_init_ops.append(
                        accumulator.set_global_step(global_step, name="SetGlobalStep")
                    )
            self.chief_init_op = group(*chief_init_ops)
        self._gradients_applied = True
        return train_op

    def _accumulated(self, grad, var) -> tuple:
        """``(accumulator, its apply op, its aggregate)`` for one variable's gradients."""
        shared = f"{var.name}/grad_accum"
        if isinstance(grad, IndexedSlices):
            accumulator = SparseConditionalAccumulator(grad.dtype, shape=(), shared_name=shared)
            apply = accumulator.apply_indexed_slices_grad(grad, local_step=self._local_step)
            take = accumulator.take_indexed_slices_grad(self._replicas_to_aggregate)
        else:
            accumulator = ConditionalAccumulator(
                grad.dtype, shape=var.get_shape(), shared_name=shared
            )
            apply = accumulator.apply_grad(grad, local_step=self._local_step)
            take = accumulator.take_grad(self._replicas_to_aggregate)
        return accumulator, apply, take

    def get_chief_queue_runner(self) -> QueueRunner:
        """The queue runner the chief runs: aggregate, apply, advance, hand out tokens."""
        if not self._gradients_applied:
            raise ValueError("Should be called after apply_gradients().")
        return self._chief_queue_runner

    def get_slot(self, *args, **kwargs):
        return self._opt.get_slot(*args, **kwargs)

    def variables(self) -> list:
        """The wrapped optimizer's variables (not the local step)."""
        return self._opt.variables()

    def get_slot_names(self, *args, **kwargs) -> list:
        return self._opt.get_slot_names(*args, **kwargs)

    def get_init_tokens_op(self, num_tokens=-1):
        """The op putting the first ``num_tokens`` tokens (default ``replicas_to_aggregate``)
        in the queue, so replicas can start."""
        if not self._gradients_applied:
            raise ValueError("get_init_tokens_op() should be called after apply_gradients().")
        needed = self._replicas_to_aggregate - self._total_num_replicas
        if num_tokens == -1:
            num_tokens = self._replicas_to_aggregate
        elif num_tokens < needed:
            raise ValueError(
                f"Too few tokens to finish the first step: {num_tokens} (given) vs {needed} "
                "(needed)"
            )
        with device(self._global_step.device), name_scope(""):
            if num_tokens > 0:
                tokens = fill([num_tokens], self._global_step)
                return self._sync_token_queue.enqueue_many((tokens,))
            return no_op(name="no_init_tokens")

    def make_session_run_hook(self, is_chief, num_tokens=-1) -> SessionRunHook:
        """A hook running the initialization ops (and, for the chief, the tokens and the
        queue runner) once a monitored session is created."""
        return _SyncReplicasOptimizerHook(self, is_chief, num_tokens)


class _SyncReplicasOptimizerHook(SessionRunHook):
    def __init__(self, sync_optimizer, is_chief, num_tokens):
        self._sync_optimizer = sync_optimizer
        self._is_chief = is_chief
        self._num_tokens = num_tokens

    def begin(self) -> None:
        optimizer = self._sync_optimizer
        if not optimizer._gradients_applied:
            raise ValueError(
                "SyncReplicasOptimizer.apply_gradient should be called before using the hook."
            )
        self._ready_for_local_init_op = optimizer.ready_for_local_init_op
        if self._is_chief:
            self._local_init_op = optimizer.chief_init_op
            self._q_runner = optimizer.get_chief_queue_runner()
            self._init_tokens_op = optimizer.get_init_tokens_op(self._num_tokens)
        else:
            self._local_init_op = optimizer.local_step_init_op
            self._q_runner = None
            self._init_tokens_op = None

    def after_create_session(self, session, coord) -> None:
        ready, message = _ready(
            self._ready_for_local_init_op,
            session,
            "Model is not ready for SyncReplicasOptimizer local init.",
        )
        if not ready:
            raise RuntimeError(
                "Init operations did not make model ready for SyncReplicasOptimizer local_init. "
                f"Init op: {self._local_init_op.name}, error: {message}"
            )
        session.run(self._local_init_op)
        if self._init_tokens_op is not None:
            session.run(self._init_tokens_op)
        if self._q_runner is not None:
            self._q_runner.create_threads(session, coord=coord, daemon=True, start=True)
