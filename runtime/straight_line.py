"""Straight-line code for a plan: one generated Python function per plan.

A plan without loops or conds runs its steps in plan order (``ExecutionState.run_in_order``).
Once its runs have taken as long as compiling it would (:func:`worth_compiling`), the
executor runs it as straight-line code instead, as
torch.fx generates code from its graph: one function whose body calls each step's kernel
on its slots, stores the outputs and drops dead values, with nothing looked up at run
time. A cheap op then costs little more than its kernel call.

The generated source of a three-op plan reads::

    def run_plan(v, run):
        cancellation = run.cancellation
        i = 0
        try:
            i = 0
            o = f0(v[0], T=a0_T)
            if len(o) != 1: wrong(0, o)
            v[1] = o[0]
            ...
        except BaseException as err:
            if err is cancellation.error: raise
            fail(steps[i], err)

``fail`` raises the error as the step's, exactly as the interpreted path does; the
cancellation is looked at every few steps, so ``close()``, a failure elsewhere, an
interrupt or the run's deadline ends the run promptly.
"""

from __future__ import annotations

import keyword

_CHECK_EVERY = 32  # steps between two looks at the cancellation
RUNS_BEFORE_COMPILING = 2  # a plan run once is not worth the compile
# Python's compiler takes about 50 µs for a step's lines (measured on a 2-core VM for
# plans of 100 to 10,000 steps), while the code saves about 1 µs a step and run: a
# 10,000-step plan takes 0.6 s to compile.
COMPILE_SECONDS_PER_STEP = 50e-6


def worth_compiling(plan) -> bool:
    """Whether ``plan`` should now get its straight-line code: once its runs in order
    (``plan.runs`` of them, ``plan.run_seconds`` in all) took as long as compiling would
    (rent or buy: never more than twice the cost of the better choice made in hindsight).

    A plan of expensive kernels compiles after its second run; one of cheap ops, whose
    every run saves little, only once it has run long enough to pay for the compile.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> short = SimpleNamespace(steps=[None] * 1000, runs=2, run_seconds=0.002)
    >>> long = SimpleNamespace(steps=[None] * 1000, runs=2, run_seconds=0.06)
    >>> worth_compiling(short), worth_compiling(long)
    (False, True)
    """
    return (
        plan.runs >= RUNS_BEFORE_COMPILING
        and plan.run_seconds >= len(plan.steps) * COMPILE_SECONDS_PER_STEP
    )


def compile_plan(plan, fail, wrong, run_kernel):
    """The function ``run_plan(values, run)`` running ``plan``'s steps in plan order.

    ``fail(step, err)`` raises ``err`` as ``step``'s failure, ``wrong(index, outputs)``
    reports a kernel that returned the wrong number of outputs, and ``run_kernel`` runs
    steps whose inputs must be read (references) or whose kernels take a context.

    Examples
    --------
    >>> import runtime as tf
    >>> from runtime.plan import build_plan
    >>> from runtime.executor import RunContext, run_kernel
    >>> from runtime.resources import ResourceManager
    >>> with tf.Graph().as_default():
    ...     a = tf.constant(2.0, name="a")
    ...     b = tf.negative(a, name="b")
    >>> plan = build_plan([b], [], [], {a.op: "/cpu:0", b.op: "/cpu:0"})
    >>> run = compile_plan(plan, None, None, run_kernel)
    >>> values = plan.initial_values({})
    >>> run(values, RunContext(ResourceManager()))
    >>> float(values[plan.fetch_slots[0]])
    -2.0
    """
    namespace = {"steps": plan.steps, "fail": fail, "wrong": wrong, "run_kernel": run_kernel}
    body = []
    for position, step in enumerate(plan.steps):
        body.extend(step_lines(step, namespace))
        if position % _CHECK_EVERY == _CHECK_EVERY - 1:
            body.append("if cancellation.cancelled or timed: cancellation.raise_if_stopped()")
    source = "\n".join(
        [
            "def run_plan(v, run):",
            "    cancellation = run.cancellation",
            "    timed = cancellation.deadline is not None",
            "    i = 0",
            "    try:",
            *(f"        {line}" for line in body or ["pass"]),
            "    except BaseException as err:",
            "        if err is cancellation.error: raise",
            "        fail(steps[i], err)",
            "    if cancellation.cancelled or timed: cancellation.raise_if_stopped()",
        ]
    )
    exec(compile(source, f"<plan of {len(plan.steps)} steps>", "exec"), namespace)
    return namespace["run_plan"]


def step_lines(step, namespace: dict, slow: str = "run_kernel(steps[{k}], v, run)") -> list[str]:
    """The source lines that run ``step`` on the slot list ``v``: its kernel called on
    its slots (a step whose inputs must be read, or whose kernel takes a context, as
    ``slow`` says, ``{k}`` its index), the outputs stored, and the values it read
    last dropped (``step.release``: only plans without loops have such). What the
    lines call goes into ``namespace``.

    Examples
    --------
    >>> import runtime as tf
    >>> from runtime.plan import build_plan
    >>> with tf.Graph().as_default():  # -x, x fed into slot 0
    ...     x = tf.compat.v1.placeholder(tf.float32, [], name="x")
    ...     y = tf.negative(x, name="y")
    >>> step_lines(build_plan([y], [], [x], {y.op: "/cpu:0"}).steps[0], {})
    ['i = 0', 'o = f0(v[0], T=a0_T)', 'if len(o) != 1: wrong(0, o)', 'v[1] = o[0]']
    """
    k = step.index
    if step.fast:
        namespace[f"f{k}"] = step.kernel.fn
        args = [f"v[{s}]" for s in step.input_slots] + _keywords(step.attrs, f"a{k}", namespace)
        call = f"f{k}({', '.join(args)})"
    else:
        call = slow.format(k=k)
    lines = [f"i = {k}", f"o = {call}"]
    count = len(step.output_slots)
    lines.append(f"if len(o) != {count}: wrong({k}, o)")
    lines.extend(f"v[{s}] = o[{n}]" for n, s in enumerate(step.output_slots))
    lines.extend(f"v[{s}] = None" for s in step.release)
    return lines


def _keywords(attrs: dict, prefix: str, namespace: dict) -> list[str]:
    """A kernel call's attrs as keyword arguments, each value a name in ``namespace``
    (``T=a3_T``): Python passes those without the new dict that ``**attrs`` makes each
    call, about 0.2 µs, a fifth of a scalar op's cost. An attr whose name is not an
    identifier goes in ``**``."""
    args, rest = [], {}
    for name, value in attrs.items():
        if name.isidentifier() and not keyword.iskeyword(name):
            namespace[f"{prefix}_{name}"] = value
            args.append(f"{name}={prefix}_{name}")
        else:
            rest[name] = value
    if rest:
        namespace[prefix] = rest
        args.append(f"**{prefix}")
    return args
