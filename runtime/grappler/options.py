"""Which passes run for a session's ``ConfigProto``, by TF's rules.

Grappler's passes follow ``graph_options.rewrite_options`` (``RewriterConfig``): all
on by default, none with ``disable_meta_optimizer``, each off with its toggle ``OFF``.
TF's classic optimizer runs constant folding and common subexpression elimination
besides, whenever ``graph_options.optimizer_options.opt_level`` is ``L1`` (the
default) or its ``do_`` flag is set, even with the meta optimizer disabled (TF 2.21
does: a graph runs exactly as written only with both turned off).
"""

from __future__ import annotations

import dataclasses

from ..config import ConfigProto, OptimizerOptions, RewriterConfig

DEFAULT_MIN_GRAPH_NODES = 4  # TF's: smaller graphs are not worth optimizing
DEFAULT_ITERATIONS = 2  # TF's meta_optimizer_iterations DEFAULT_NUM_ITERS
MAX_CONSTANT_BYTES = 10 * 1024 * 1024  # TF's kMaxConstantSize: no bigger constant is made


@dataclasses.dataclass(frozen=True)
class Passes:
    """The passes a session runs, and their limits.

    Examples
    --------
    >>> passes = Passes.from_config(ConfigProto())
    >>> passes.constant_folding, passes.remapping, passes.min_graph_nodes
    (True, True, 4)
    >>> config = ConfigProto()
    >>> config.graph_options.rewrite_options.disable_meta_optimizer = True
    >>> passes = Passes.from_config(config)
    >>> passes.constant_folding, passes.remapping  # TF's classic optimizer still folds
    (True, False)
    >>> config.graph_options.optimizer_options.opt_level = OptimizerOptions.L0
    >>> Passes.from_config(config).any
    False
    """

    constant_folding: bool = True
    common_subgraph_elimination: bool = True
    arithmetic_optimization: bool = True
    dependency_optimization: bool = True
    remapping: bool = True
    loop_optimization: bool = True
    iterations: int = DEFAULT_ITERATIONS
    min_graph_nodes: int = DEFAULT_MIN_GRAPH_NODES
    max_constant_bytes: int = MAX_CONSTANT_BYTES

    @classmethod
    def from_config(cls, config: ConfigProto) -> Passes:
        rewrite = config.graph_options.rewrite_options
        classic = config.graph_options.optimizer_options
        meta = not rewrite.disable_meta_optimizer
        level_one = classic.opt_level >= OptimizerOptions.L1

        def grappler(toggle: int) -> bool:
            return meta and toggle != RewriterConfig.OFF

        return cls(
            constant_folding=grappler(rewrite.constant_folding)
            or level_one
            or classic.do_constant_folding,
            common_subgraph_elimination=grappler(rewrite.common_subgraph_elimination)
            or level_one
            or classic.do_common_subexpression_elimination,
            arithmetic_optimization=grappler(rewrite.arithmetic_optimization),
            dependency_optimization=grappler(rewrite.dependency_optimization),
            remapping=grappler(rewrite.remapping),
            loop_optimization=grappler(rewrite.loop_optimization),
            iterations=1 if rewrite.meta_optimizer_iterations == RewriterConfig.ONE else 2,
            min_graph_nodes=rewrite.min_graph_nodes or DEFAULT_MIN_GRAPH_NODES,
            max_constant_bytes=classic.max_folded_constant_in_bytes or MAX_CONSTANT_BYTES,
        )

    @classmethod
    def none(cls) -> Passes:
        """No pass at all: the graph as written."""
        off = dict.fromkeys(
            (
                "constant_folding",
                "common_subgraph_elimination",
                "arithmetic_optimization",
                "dependency_optimization",
                "remapping",
                "loop_optimization",
            ),
            False,
        )
        return cls(**off)

    @property
    def any(self) -> bool:
        """True when some pass would change a graph."""
        return (
            self.constant_folding
            or self.common_subgraph_elimination
            or self.arithmetic_optimization
            or self.dependency_optimization
            or self.remapping
            or self.loop_optimization
        )
