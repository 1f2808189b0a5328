"""Placement: which device each op runs on.

TF's rules, in order: an op already placed keeps its device; ops that must be
together (a colocation group ``loc:@name``, or an op taking a reference to a
variable) form one group; a group's requested specs are merged and granted when a
device matches and has kernels for every member; otherwise, with soft placement, the
group falls back to a device that has kernels (CPU), and without it the run fails with
TF's ``InvalidArgumentError``. Unconstrained groups go to the best device type that
has kernels for them (GPU before CPU), index 0.

Placement needs no run: the renderer colours a graph by it before anything executes.
"""

from __future__ import annotations

import functools
import sys

from . import dtypes
from .devices import DeviceSpec
from .errors import InvalidArgumentError, op_error
from .registry import get_op_def, is_registered, kernel_device_types

_TYPE_PRIORITY = {"GPU": 0, "CPU": 1}


class Placer:
    """Assigns devices to ops.

    Parameters
    ----------
    devices : list of DeviceAttributes
        The session's devices.
    allow_soft_placement : bool
        Fall back to a supported device instead of failing.
    log_device_placement : bool
        Print ``name: (OpType): device`` for each op placed, as TF does.

    Examples
    --------
    >>> import runtime as tf
    >>> from runtime.devices import local_devices
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     with tf.device("/cpu:1"):
    ...         a = tf.constant(1.0, name="a")
    ...     b = tf.negative(a, name="b")
    >>> placement = Placer(local_devices({"CPU": 2})).place(g.get_operations())
    >>> [placement[op].rsplit("/", 1)[-1] for op in g.get_operations()]
    ['device:CPU:1', 'device:CPU:0']
    """

    def __init__(self, devices, allow_soft_placement=False, log_device_placement=False, log=None):
        self._devices = sorted(
            devices, key=lambda d: (_TYPE_PRIORITY.get(d.device_type, 2), d.spec.device_index)
        )
        self._soft = allow_soft_placement
        self._log = log if log is not None else (_print if log_device_placement else None)
        self._defaults: dict = {}  # op type -> device of an unconstrained op

    def place(self, ops, placed: dict | None = None) -> dict:
        """Place ``ops`` not in ``placed`` (op -> device); returns the new assignments."""
        placed = placed if placed is not None else {}
        todo = [op for op in ops if op not in placed]
        links = {op: linked for op in todo if (linked := _links(op))}
        assigned: dict = {}
        for group in _groups(todo, links):
            if len(group) == 1 and not group[0].device and group[0] not in links:
                device = self._default_device(group[0])  # most ops: nothing asked or linked
            else:
                device = self._device_for_group(group, placed)
            for op in group:
                assigned[op] = device
        if self._log is not None:
            for op in todo:
                self._log(f"{op.name}: ({op.type}): {assigned[op]}")
        return assigned

    def _device_for_group(self, group, placed: dict) -> str:
        anchors = [placed[op] for op in _colocated_ops(group) if op in placed]
        if anchors:
            return anchors[0]
        spec, first = self._merged_spec(group)
        supported = frozenset.intersection(*(self._kernel_types(op) for op in group))
        matching = [d for d in self._devices if spec.matches(d.spec)]
        usable = [d for d in matching if d.device_type in supported]
        if usable:
            return usable[0].name
        if self._soft:
            # TF's soft placement relaxes the device type and index, never the job,
            # replica or task: an op pinned to another job's device fails here too.
            fallback = spec.replace(device_type=None, device_index=None)
            usable = [
                d for d in self._devices if d.device_type in supported and fallback.matches(d.spec)
            ]
            if usable:
                return usable[0].name
        raise self._error(first, spec, matching, supported)

    def _default_device(self, op) -> str:
        """The first device (GPU before CPU) with a kernel for ``op``, cached per op type."""
        device = self._defaults.get(op.type)
        if device is None:
            supported = self._kernel_types(op)
            usable = [d for d in self._devices if d.device_type in supported]
            if not usable:
                raise self._error(op, DeviceSpec(), [], supported)
            device = self._defaults[op.type] = usable[0].name
        return device

    def _kernel_types(self, op) -> frozenset:
        # An op type the runtime lacks (from a TF file) is placed as requested; running
        # it fails later with one error listing every such type.
        if not is_registered(op.type):
            return frozenset(d.device_type for d in self._devices)
        return kernel_device_types(op.type)

    def _merged_spec(self, group):
        # Anchors (the ops others colocate with, e.g. a variable) merge last, so with soft
        # placement their requests win: a variable's assign follows the variable.
        anchors = {other for op in group for other in _links(op)}
        ordered = [op for op in group if op not in anchors] + [op for op in group if op in anchors]
        spec, first = DeviceSpec(), ordered[0]
        for op in ordered:
            # An op taking a reference goes where the reference's op is: TF colocates it
            # with that op when building it, whatever device scope (a device function
            # such as replica_device_setter's) asked for.
            if not op.device or _ref_sources(op):
                continue
            requested = DeviceSpec.from_string(op.device)
            if not self._soft and _conflicts(spec, requested):
                raise op_error(
                    InvalidArgumentError,
                    op,
                    f"Cannot colocate nodes {first.name} and {op.name}: their requested "
                    f"devices '{spec}' and '{requested}' conflict.",
                )
            if not first.device:
                first = op
            spec = spec.make_merged_spec(requested)
        return spec, first

    def _error(self, op, spec, matching, supported):
        requested = op.device or spec
        if not matching:  # TF's words: soft placement cannot help here either
            available = " ".join(f"{d.name}," for d in self._devices).rstrip(",")
            return op_error(
                InvalidArgumentError,
                op,
                f"Cannot assign a device for operation {op.name}: {op.name} was explicitly "
                f"assigned to {requested} but available devices are [ {available} ]. Make "
                "sure the device specification refers to a valid device.",
            )
        return op_error(
            InvalidArgumentError,
            op,
            f"Cannot assign a device for operation {op.name}: Could not satisfy explicit "
            f"device specification '{requested}' because no supported kernel for "
            f"{matching[0].device_type} devices is available (this op has kernels for: "
            f"{', '.join(sorted(supported)) or 'none'}); available devices: "
            f"{', '.join(d.name for d in self._devices)}. Use "
            "ConfigProto(allow_soft_placement=True) to fall back to a supported device.",
        )


def _print(line: str) -> None:
    print(line, file=sys.stdout)


def _conflicts(a: DeviceSpec, b: DeviceSpec) -> bool:
    return any(
        x is not None and y is not None and x != y
        for x, y in (
            (a.job, b.job),
            (a.task, b.task),
            (a.device_type, b.device_type),
            (a.device_index, b.device_index),
        )
    )


def _colocated_ops(group):
    """The group plus the ops its members are linked to (:func:`_links`)."""
    graph_ops = []
    for op in group:
        graph_ops.append(op)
        graph_ops.extend(_links(op))
    return graph_ops


def _links(op) -> list:
    """The ops ``op`` must be placed with, placed earlier or not: those it names in
    ``loc:@``, and those whose references or resource handles it takes."""
    if not op._attrs.get("_class") and not _ref_positions(op.type):
        return []  # most ops: checked without a call
    linked = []
    for name in _colocation_names(op):
        try:
            linked.append(op.graph.get_operation_by_name(name))
        except KeyError:
            continue
    return linked + _ref_sources(op)


def _colocation_names(op) -> list[str]:
    groups = op._attrs.get("_class", ())  # not op.attrs: that copies the dict
    return [g.decode()[len("loc:@") :] for g in groups if g.startswith(b"loc:@")]


def _ref_sources(op) -> list:
    # A reference (TF1 variable) or a resource handle (TF2 variable, queue) stays with
    # the op that made it.
    return [
        op.inputs[i].op
        for i in _ref_positions(op.type)
        if op.inputs[i].dtype.is_ref_dtype or op.inputs[i].dtype.base_dtype == dtypes.resource
    ]


@functools.cache
def _ref_positions(op_type: str) -> tuple:
    """The inputs of ``op_type`` that may take a reference (none for an op type the
    runtime lacks): cached, as placement asks for every op."""
    return get_op_def(op_type).flat_ref_inputs if is_registered(op_type) else ()


def _groups(ops, links: dict) -> list[list]:
    """Union-find over colocation names and reference edges (``links``: only the ops that
    have any), in creation order; an op that none names is a group of its own."""
    parent: dict = {}

    def find(x):
        while parent.setdefault(x, x) is not x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for op, others in links.items():
        for other in others:
            parent[find(other)] = find(op)
    members: dict = {}
    for op in ops:
        members.setdefault(find(op) if op in parent else op, []).append(op)
    return list(members.values())
