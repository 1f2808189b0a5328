"""The graph builder without pixels: a history of recipe lists and the actions on it.

State
-----
``_history`` holds every recipe list the builder has had and ``_at`` the current one:
an action pushes a new list (dropping what redo could have reached), undo and redo
move ``_at``. ``graph`` is always the graph built from the current list, so the runtime
has validated every op in it, and a refused action never touches it. ``errors`` maps
the field that caused the last refusal to its message; ``message`` says what the last
action did.

A view subclasses :class:`BuilderModel` and redraws in :meth:`~BuilderModel.refresh`,
which every action calls last: this module draws nothing and imports no widgets, so
every action and its error paths are testable as data.
"""

from __future__ import annotations

from runtime.config import ConfigProto
from runtime.devices import DeviceSpec
from runtime.graph import Graph
from runtime.session import Session

from .builder_checks import blame, checked_name, entry_of, index_of, new_recipe
from .builder_code import to_code
from .builder_fields import FieldError, error_text, form_values, parsed_feeds
from .builder_open import recipes_of
from .builder_palette import PaletteEntry
from .builder_recipes import RecipeError, build_graph, dependents, renamed


class BuilderModel:
    """A graph built by actions that never raise: the builder's model, with undo and redo.

    A refused action leaves the graph as it was and puts its message in ``errors``
    under the field that caused it.

    It takes the ``graph`` and ``config`` of :class:`~workbench.builder.GraphBuilder`,
    the model with widgets.

    Examples
    --------
    >>> model = BuilderModel()
    >>> model.add("tf.constant", value=[1.0, 2.0], name="a"), model.add("tf.negative", ["a"])
    ('a', 'Neg')
    >>> model.rename("Neg", "s/n"), model.run(["s/n:0"])["s/n:0"].tolist()
    (True, [-1.0, -2.0])
    >>> model.add("tf.exp", ["b:0"]) is None, model.errors
    (True, {'x': "The name 'b:0' refers to a Tensor which does not exist. The operation, 'b', does not exist in the graph."})
    """

    def __init__(self, graph: Graph | None = None, config: ConfigProto | None = None):
        recipes = recipes_of(graph) if graph is not None else ()
        self._history = [recipes]
        self._at = 0
        self._config = config
        self._session = None
        self.graph = build_graph(recipes)
        self.errors: dict = {}
        self.message = ""
        self.results: dict = {}
        self.pending_delete: list | None = None
        self.selected: str | None = None
        self.entry: PaletteEntry | None = None

    @property
    def recipes(self) -> tuple:
        """The current recipes, one per op, in creation order."""
        return self._history[self._at]

    @property
    def can_undo(self) -> bool:
        """Whether there is a change to undo."""
        return self._at > 0

    @property
    def can_redo(self) -> bool:
        """Whether there is an undone change to redo (a new change drops it)."""
        return self._at < len(self._history) - 1

    @property
    def session(self) -> Session:
        """A session on the current graph (made on first use, closed when the graph changes)."""
        if self._session is None:
            self._session = Session(graph=self.graph, config=self._config or _config(self.graph))
        return self._session

    # -- actions ------------------------------------------------------------------------

    def add(
        self, builder: str, inputs=(), *, name="", scope="", device="", control_inputs=(), **attrs
    ) -> str | None:
        """Add an op: ``builder`` is a palette key (``"tf.add"``, ``"raw_ops.AddN"``),
        ``inputs`` tensor names (``"a:0"``, or ``"a"`` for output 0), ``attrs`` the
        builder's arguments. Returns the op's name, or ``None`` if it was refused."""
        return self._act(
            lambda: self._add(builder, inputs, name, scope, device, control_inputs, attrs)
        )

    def add_from_form(self, values: dict) -> str | None:
        """Add the op the chosen entry's form describes: ``values`` maps its fields to
        the widgets' values (literal fields parsed with ``ast.literal_eval``)."""
        return self._act(lambda: self._add(*form_values(self.entry, values)))

    def rename(self, old: str, new: str) -> bool:
        """Rename op ``old`` to ``new`` (``"scope/name"`` moves it to that scope); the ops
        that read it follow."""

        def action():
            index = index_of(self.recipes, old, "rename")
            scope, name = checked_name(self.recipes, new, "rename", exclude=old)
            recipes = renamed(self.recipes, old, scope, name)
            moved = recipes[index].full_name
            message = self._commit(recipes, f"renamed {old} to {moved}", "rename")
            self.selected = moved  # only once the graph has it
            return message, True

        return bool(self._act(action))

    def request_delete(self, name: str) -> list:
        """Ask to delete op ``name`` and every op that depends on it; returns those ops.

        Nothing changes until :meth:`confirm_delete` (or :meth:`cancel_delete`)."""

        def action():
            index_of(self.recipes, name, "delete")
            doomed = dependents(self.recipes, name)
            also = f" and its dependents {', '.join(doomed[1:])}" if len(doomed) > 1 else ""
            self.pending_delete = doomed
            return f"Delete {name}{also}? Confirm or cancel.", doomed

        return self._act(action) or []

    def confirm_delete(self) -> None:
        """Delete the ops :meth:`request_delete` listed."""
        doomed = self.pending_delete or []
        kept = [r for r in self.recipes if r.full_name not in doomed]
        self._act(lambda: (self._commit(kept, f"deleted {', '.join(doomed)}", "delete"), None))

    def cancel_delete(self) -> None:
        """Forget the deletion :meth:`request_delete` asked for."""
        self.pending_delete = None
        self._act(lambda: ("delete cancelled", None))

    def undo(self) -> None:
        """Go back one change (the graph is rebuilt from the earlier recipes)."""
        self._act(lambda: self._step(-1, "undo"))

    def redo(self) -> None:
        """Make the change :meth:`undo` took back again."""
        self._act(lambda: self._step(1, "redo"))

    def run(self, fetches=None, feeds=None) -> dict | None:
        """Run the graph: ``fetches`` are tensor names, ``feeds`` map placeholders to
        values or literal text. Returns ``{name: value}``."""

        def action():
            names = list(fetches or ())
            if not names:
                raise FieldError("fetches", "Choose what to fetch.")
            feed_dict = parsed_feeds(feeds or {})
            try:
                values = self.session.run(names, feed_dict)
            except Exception as err:  # the runtime's own error, shown in the run panel
                raise FieldError("run", error_text(err)) from None
            self.results = dict(zip(names, values))
            return f"ran {', '.join(names)}", self.results

        return self._act(action)

    def to_code(self) -> str:
        """Python code (``import runtime as tf``) that rebuilds this graph exactly."""
        return to_code(self.recipes, self.graph)

    def choose(self, key: str | None) -> None:
        """Show the form of palette entry ``key``."""

        def action():
            self.entry = None if key is None else entry_of(key)
            self._show_form()
            return f"form: {key}" if key else "", None

        self._act(action)

    def select(self, name: str | None) -> None:
        """Select op ``name`` in the node list (for rename and delete).

        A name that is not an op of the graph selects nothing and says so.
        """
        known = {op.name for op in self.graph.get_operations()}
        if name is not None and name not in known:
            self.message = f"There is no op named {name!r} in the graph."
            name = None
        self.selected = name
        self.refresh()

    def close(self) -> None:
        """Close the session the model made (a later run makes a new one)."""
        self._drop_session()

    # -- what a view overrides ----------------------------------------------------------

    def refresh(self) -> None:
        """Redraw from the model, after every action; the model itself draws nothing."""

    def _show_form(self) -> None:
        """Make the form of the entry just chosen, before the refresh that fills it."""

    # -- internals ----------------------------------------------------------------------

    def _act(self, action):
        try:
            message, result = action()
        except FieldError as err:
            self.errors, self.message, result = {err.field: str(err)}, str(err), None
        else:
            self.errors, self.message = {}, message
        self.refresh()
        return result

    def _add(self, builder, inputs, name, scope, device, control_inputs, attrs) -> tuple:
        recipe = new_recipe(
            self.recipes, self.graph, builder, inputs, name, scope, device, control_inputs, attrs
        )
        message = self._commit([*self.recipes, recipe], f"added {recipe.full_name}")
        return message, recipe.full_name

    def _commit(self, recipes, message: str, field: str | None = None) -> str:
        """Make ``recipes`` the current ones. A refusal is shown at ``field``, or, when
        none is given, at the field of the last recipe (the one added) that caused it."""
        try:
            graph = build_graph(recipes)
        except RecipeError as err:
            where = field or blame(recipes[:-1], recipes[-1], err.error)
            raise FieldError(where, error_text(err.error)) from None
        del self._history[self._at + 1 :]
        self._history.append(tuple(recipes))
        self._at += 1
        self._set_graph(graph)
        return message

    def _step(self, delta: int, what: str) -> tuple:
        if not 0 <= self._at + delta < len(self._history):
            raise FieldError(what, f"Nothing to {what}.")
        self._at += delta
        self._set_graph(build_graph(self.recipes))
        return f"{what}: {len(self.recipes)} ops", None

    def _set_graph(self, graph: Graph) -> None:
        self._drop_session()
        self.graph = graph
        self.results = {}
        self.pending_delete = None
        names = {op.name for op in graph.get_operations()}
        self.selected = self.selected if self.selected in names else None

    def _drop_session(self) -> None:
        if self._session is not None:
            self._session.close()
        self._session = None

    def __repr__(self):
        return f"<{type(self).__name__} {len(self.recipes)} ops>"


def _config(graph: Graph) -> ConfigProto:
    """Soft placement, and as many CPUs as the graph's device requests name."""
    cpus = 1
    for op in graph.get_operations():
        spec = DeviceSpec.from_string(op.device)
        if spec.device_type == "CPU" and spec.device_index is not None:
            cpus = max(cpus, spec.device_index + 1)
    return ConfigProto(allow_soft_placement=True, device_count={"CPU": cpus})
