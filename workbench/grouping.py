"""Which ops fold together: the groups a picture opens one level at a time.

The rules, as TensorBoard's graph dashboard has them, in one place (the payload
carries their result, so the lab extension and the SVG draw the same boxes):

- **Scopes.** Each name scope is a group; a ``while`` loop's scope is a *frame*.
- **Series.** Five or more siblings named alike (``add_1`` … ``add_999`` of one op
  type, or scopes ``layer0`` … ``layer49``) fold into one series group,
  ``add_[1-999]``.
- **Chunks.** No group shows more than ``MAX_CHILDREN`` children when opened: bigger
  ones are cut into runs of 10, 100, 1,000 ... (a series into number ranges), so a
  10,000-op chain opens ten boxes at a time.
- **Auxiliary.** In a group of ``EXTRACT_MIN_OPS`` ops or more, children that serve
  the model rather than are it go to a side area, their edges shown as stubs:
  initializers, savers, summaries, the optimizer's update ops and slots, what only
  feeds those, and children whose degree is an outlier (``gradients`` fanning in
  from every layer).

Examples
--------
>>> names = ["x", *[f"add_{i}" for i in range(1, 7)]]
>>> grouping = Grouping([(name, "AddV2") for name in names], edges=[])
>>> [(g.id, g.kind, g.label, g.op_count) for g in grouping.groups]
[('g0', 'series', 'add_[1-6]', 6)]
>>> grouping.group_of[:2]
['', 'g0']
"""

from __future__ import annotations

import dataclasses
import re
import statistics

from .palette import op_category

MAX_CHILDREN = 50  # most children a group shows when opened
SERIES_MIN = 5  # fewest siblings that fold into a series (TensorBoard's threshold)
EXTRACT_MIN_OPS = 15  # smaller groups keep every child in the main area
EXTRACT_MIN_DEGREE = 5  # fewest neighbours that can make a child an outlier
FRAME_OPS = frozenset({"Enter", "RefEnter", "Exit", "RefExit", "NextIteration", "LoopCond"})

_NUMBERED = re.compile(r"^(.*?)(\d+)$")
_WHILE = re.compile(r"^while(_\d+)?$")
# Scopes TF1 makes for bookkeeping, and the scopes of its optimizers (with "_N" suffixes).
_AUX_NAMES = re.compile(
    r"^(init|init_all_tables|save|summaries|report_uninitialized_variables|Initializer"
    r"|beta1_power|beta2_power|Adam|GradientDescent|Momentum|RMSProp|Adagrad|Adadelta|Ftrl"
    r"|ProximalAdagrad|ProximalGradientDescent|AdagradDA)(_\d+)?$"
)
_AUX_CATEGORIES = frozenset({"training", "summary"})
_AUX_OP_TYPES = frozenset({"SaveV2", "RestoreV2", "MergeV2Checkpoints"})


@dataclasses.dataclass
class Group:
    """A box that opens: a name scope, a while frame, a series or a chunk of one."""

    id: str
    kind: str  # "scope" | "frame" | "series" | "chunk"
    name: str  # a scope's name; for a series or chunk, its parent's path and its label
    label: str  # what the box says
    parent: str  # the enclosing group's id, "" at top level
    op_count: int = 0  # ops anywhere inside
    auxiliary: bool = False  # drawn in the side area of its parent
    iterations: int | None = None  # a frame's loop iterations in a traced run


@dataclasses.dataclass
class _Bundle:
    """Siblings folding into one series or chunk (``numbers`` for a series)."""

    kind: str
    prefix: str
    members: list
    numbers: list | None


class Grouping:
    """The group tree of a graph's ops and which children are auxiliary.

    Parameters
    ----------
    ops : list of (name, op type)
        In graph order.
    edges : list of (source index, target index)
        Data and control edges between ``ops``, by position.
    frames : set of str, optional
        The scopes that are while loops (from the runtime's frames); without it, a
        ``while`` scope holding the loop's own ops is one.

    Attributes
    ----------
    groups : list of Group
        Parents before children, ids ``g0``, ``g1`` ... in that order.
    group_of : list of str
        The innermost group of each op (``""`` for the top level).
    auxiliary : list of bool
        Whether each op itself sits in its group's side area.
    """

    def __init__(self, ops, edges, frames=None):
        self.ops = list(ops)
        self.groups: list[Group] = []
        self.group_of = [""] * len(self.ops)
        self.auxiliary = [False] * len(self.ops)
        scopes = _scope_items(self.ops)
        self._scopes = scopes
        self._frames = _frame_scopes(self.ops) if frames is None else set(frames)
        self._fill("", "", scopes[""])
        self.by_id = {g.id: g for g in self.groups}
        self._training = self._count_ops()
        self._mark_auxiliary(edges)

    def chain(self, index: int) -> list:
        """Group ids holding op ``index``, outermost first."""
        chain = []
        group = self.group_of[index]
        while group:
            chain.append(group)
            group = self.by_id[group].parent
        return chain[::-1]

    # -- building the tree -------------------------------------------------------------

    def _fill(self, path: str, parent: str, items: list) -> None:
        for item in _chunked(_series(items, self.ops)):
            self._emit(item, path, parent)

    def _emit(self, item, path: str, parent: str) -> None:
        if isinstance(item, int):
            self.group_of[item] = parent
        elif isinstance(item, str):  # a scope's full path
            kind = "frame" if item in self._frames else "scope"
            group = self._new(kind, item, item.rpartition("/")[2], parent)
            self._fill(item, group.id, self._scopes[item])
        else:
            label = _bundle_label(item, self.ops)
            group = self._new(item.kind, f"{path}/{label}" if path else label, label, parent)
            for member in _chunked(item.members, item):
                self._emit(member, path, group.id)

    def _new(self, kind: str, name: str, label: str, parent: str) -> Group:
        group = Group(f"g{len(self.groups)}", kind, name, label, parent)
        self.groups.append(group)
        return group

    def _count_ops(self) -> dict:
        """Fill each group's ``op_count``; returns how many training ops each holds."""
        training: dict = {}
        for group, (_, op_type) in zip(self.group_of, self.ops):
            is_training = op_category(op_type) == "training"
            while group:
                self.by_id[group].op_count += 1
                training[group] = training.get(group, 0) + is_training
                group = self.by_id[group].parent
        return training

    # -- auxiliary children ------------------------------------------------------------

    def _mark_auxiliary(self, edges) -> None:
        chains = [self.chain(i) for i in range(len(self.ops))]
        neighbours: dict = {}  # container -> child -> set of children it has edges with
        for source, target in edges:
            a, b, container = _diverging(chains, source, target)
            if a != b:
                level = neighbours.setdefault(container, {})
                level.setdefault(a, set()).add(b)
                level.setdefault(b, set()).add(a)
        children: dict = {"": []}
        for group in self.groups:
            children.setdefault(group.parent, []).append(group.id)
        for index, group in enumerate(self.group_of):
            children.setdefault(group, []).append(index)
        by_id = self.by_id
        for container, items in children.items():
            size = by_id[container].op_count if container else len(self.ops)
            if size >= EXTRACT_MIN_OPS and len(items) >= 4:
                for item in _auxiliary(items, neighbours.get(container, {}), self._traits):
                    if isinstance(item, int):
                        self.auxiliary[item] = True
                    else:
                        by_id[item].auxiliary = True

    def _traits(self, item) -> tuple:
        """``(by name, by content)``: whether ``item`` is bookkeeping by its name or ops."""
        if isinstance(item, int):
            name, op_type = self.ops[item]
            short = name.rpartition("/")[2]
            named = bool(_AUX_NAMES.match(short))
            return named, op_category(op_type) in _AUX_CATEGORIES or op_type in _AUX_OP_TYPES
        group = self.by_id[item]
        if group.kind in ("series", "chunk"):
            return False, False
        optimizer = self._training.get(item, 0) * 4 >= group.op_count
        return bool(_AUX_NAMES.match(group.label)), optimizer


def _auxiliary(items: list, neighbours: dict, traits) -> set:
    """The children of one group that go to its side area (see the module docstring)."""
    aux = {item for item in items if any(traits(item))}
    main = [item for item in items if item not in aux]
    degree = {item: len(neighbours.get(item, set()) - aux) for item in main}
    if len(main) >= 6:
        q1, _, q3 = statistics.quantiles(sorted(degree.values()), n=4, method="inclusive")
        bound = max(EXTRACT_MIN_DEGREE - 1, q3 + 1.5 * (q3 - q1))
        aux |= {item for item in main if degree[item] > bound}
    # What talks only to the side area (an optimizer's beta powers) joins it.
    feeders = {
        item
        for item in items
        if item not in aux and neighbours.get(item) and neighbours[item] <= aux
    }
    return aux | feeders


def _diverging(chains: list, source: int, target: int) -> tuple:
    """The two children an edge joins inside the deepest group holding both ends."""
    a, b = chains[source], chains[target]
    k = 0
    while k < len(a) and k < len(b) and a[k] == b[k]:
        k += 1
    container = a[k - 1] if k else ""
    return (a[k] if k < len(a) else source), (b[k] if k < len(b) else target), container


def _scope_items(ops) -> dict:
    """``{scope path: [op index or child scope path, in first-appearance order]}``.

    An op named like a scope (``global_step`` beside ``global_step/Assign``) sits
    inside that scope, as in TensorBoard: one box, not two of the same name.
    """
    scopes = set()
    for name, _ in ops:
        parts = name.split("/")
        scopes.update("/".join(parts[:depth]) for depth in range(1, len(parts)))
    items: dict = {"": []}
    for index, (name, _) in enumerate(ops):
        parts = name.split("/") if name in scopes else name.split("/")[:-1]
        for depth in range(len(parts)):
            path = "/".join(parts[: depth + 1])
            if path not in items:
                items[path] = []
                items["/".join(parts[:depth])].append(path)
        items["/".join(parts)].append(index)
    return items


def _frame_scopes(ops) -> set:
    """Scopes that are while frames, for ops alone: a ``while`` scope holding loop ops."""
    frames = set()
    for name, op_type in ops:
        if op_type in FRAME_OPS:
            parts = name.split("/")[:-1]
            for depth in range(len(parts), 0, -1):
                if _WHILE.match(parts[depth - 1]):
                    frames.add("/".join(parts[:depth]))
                    break
    return frames


def _series(items: list, ops) -> list:
    """``items`` with each run of ``SERIES_MIN`` or more alike-named siblings folded."""
    keyed: dict = {}
    for item in items:
        short = (ops[item][0] if isinstance(item, int) else item).rpartition("/")[2]
        match = _NUMBERED.match(short)
        if match:
            kind = ops[item][1] if isinstance(item, int) else "/"
            keyed.setdefault((match.group(1), kind), []).append((int(match.group(2)), item))
    folded: dict = {}
    for (prefix, _), members in keyed.items():
        if len(members) >= SERIES_MIN:
            members.sort(key=lambda m: m[0])
            bundle = _Bundle("series", prefix, [m[1] for m in members], [m[0] for m in members])
            folded.update((m[1], bundle) for m in members)
    result, placed = [], set()
    for item in items:
        bundle = folded.get(item)
        if bundle is None:
            result.append(item)
        elif id(bundle) not in placed:
            placed.add(id(bundle))
            result.append(bundle)
    return result


def _chunked(items: list, bundle: _Bundle | None = None) -> list:
    """``items`` cut into runs of a power of ten when there are more than ``MAX_CHILDREN``."""
    if len(items) <= MAX_CHILDREN:
        return items
    size = 10
    while -(-len(items) // size) > MAX_CHILDREN:
        size *= 10
    chunks = []
    for start in range(0, len(items), size):
        numbers = bundle.numbers[start : start + size] if bundle and bundle.numbers else None
        kind = "series" if numbers else "chunk"
        prefix = bundle.prefix if bundle else ""
        chunks.append(_Bundle(kind, prefix, items[start : start + size], numbers))
    return chunks


def _bundle_label(bundle: _Bundle, ops) -> str:
    if bundle.numbers:
        return f"{bundle.prefix}[{bundle.numbers[0]}-{bundle.numbers[-1]}]"
    first, last = (_first_op_name(m, ops) for m in (bundle.members[0], bundle.members[-1]))
    return f"{first} … {last}"


def _first_op_name(item, ops) -> str:
    if isinstance(item, int):
        return ops[item][0].rpartition("/")[2]
    if isinstance(item, str):
        return item.rpartition("/")[2]
    return _bundle_label(item, ops)
