"""What the graph optimizer changed, pass by pass, in the user's op names.

Each pass records :class:`Change`\\ s as it rewrites: which ops it folded into a
constant, fused into one op, merged with an equal op, simplified away, hoisted out of
a loop or pruned, and what took their place. :class:`Report` collects them; it prints
as a short table and is what the workbench shows beside the "as written" and "as run"
pictures.
"""

from __future__ import annotations

import dataclasses
from collections import Counter

# Change kinds, in the order a report lists them.
KINDS = ("folded", "fused", "merged", "simplified", "removed", "hoisted", "pruned")
NAMES_SHOWN = 8  # op names a printed change lists before "... (N more)"


@dataclasses.dataclass(frozen=True)
class Change:
    """One rewrite: ``ops`` (names in the graph as written, or of nodes an earlier
    pass made) became ``result`` (names in the graph as run; empty when they are gone).

    Examples
    --------
    >>> change = Change("remapping", "fused", ("dense/MatMul", "dense/BiasAdd", "dense/Relu"),
    ...                 ("dense/Relu",), "_FusedMatMul with fused_ops [BiasAdd, Relu]")
    >>> print(change)
    remapping: fused dense/MatMul, dense/BiasAdd, dense/Relu -> dense/Relu (_FusedMatMul with fused_ops [BiasAdd, Relu])
    >>> print(Change("pruning", "pruned", tuple(f"c{i}" for i in range(10))))
    pruning: pruned c0, c1, c2, c3, c4, c5, c6, c7 ... (2 more)
    """

    optimizer: str
    kind: str
    ops: tuple
    result: tuple = ()
    detail: str = ""

    def __str__(self) -> str:
        after = f" -> {_names(self.result)}" if self.result else ""
        detail = f" ({self.detail})" if self.detail else ""
        return f"{self.optimizer}: {self.kind} {_names(self.ops)}{after}{detail}"


def _names(names: tuple) -> str:
    """``names`` joined, the first :data:`NAMES_SHOWN` of a long list and a count."""
    if len(names) <= NAMES_SHOWN:
        return ", ".join(names)
    return f"{', '.join(names[:NAMES_SHOWN])} ... ({len(names) - NAMES_SHOWN} more)"


@dataclasses.dataclass
class Report:
    """The changes of one optimization, and the graph's size before and after.

    ``skipped`` says why nothing ran (the optimizer is off, the graph is smaller than
    ``min_graph_nodes``); ``ops_before`` counts the ops the run needs as written,
    ``ops_after`` those it runs.

    Examples
    --------
    >>> report = Report(ops_before=5)
    >>> report.add(Change("constant_folding", "folded", ("a", "b", "add"), ("add",)))
    >>> report.ops_after = 1
    >>> report.counts()
    {'folded': 1}
    >>> print(report)
    Graph optimizer: 5 ops as written, 1 as run.
      constant_folding: folded a, b, add -> add
    """

    ops_before: int = 0
    ops_after: int = 0
    changes: list = dataclasses.field(default_factory=list)
    skipped: str = ""

    def add(self, change: Change) -> None:
        self.changes.append(change)

    def by_kind(self, kind: str) -> list:
        """The changes of one kind (``"folded"``, ``"fused"`` ...)."""
        return [change for change in self.changes if change.kind == kind]

    def counts(self) -> dict:
        """``{kind: number of changes}``, in the order of :data:`KINDS`."""
        counted = Counter(change.kind for change in self.changes)
        return {kind: counted[kind] for kind in KINDS if counted[kind]}

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def __str__(self) -> str:
        if self.skipped:
            return f"Graph optimizer: not run ({self.skipped}); {self.ops_before} ops as written."
        head = f"Graph optimizer: {self.ops_before} ops as written, {self.ops_after} as run."
        if not self.changes:
            return head + " Nothing to change."
        return "\n".join([head, *(f"  {change}" for change in self.changes)])
