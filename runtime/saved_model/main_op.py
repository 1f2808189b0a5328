"""``tf.saved_model.main_op``: the init ops a SavedModel loader runs after restoring.

Examples
--------
>>> import runtime as tf
>>> with tf.Graph().as_default():
...     print(main_op().type)
NoOp
"""

from ..ops.control_flow_ops import group
from ..ops.variables import global_variables_initializer, local_variables_initializer
from ..scopes import control_dependencies
from ..variables_v1 import tables_initializer

__all__ = ["main_op", "main_op_with_restore"]


def main_op():
    """One op initialising the global and local variables and the tables (it re-initialises
    the restored variables too: pass ``local_variables_initializer()`` to keep them).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(len(main_op().control_inputs))
    3
    """
    return group(
        global_variables_initializer(), local_variables_initializer(), tables_initializer()
    )


def main_op_with_restore(restore_op_name):
    """``main_op()``, then ``restore_op_name``: a Saver's restore op (an op, despite the
    name: TF's ``group`` takes no op names).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     w = tf.Variable(1.0)
    ...     saver = tf.compat.v1.train.Saver()
    ...     restore = tf.compat.v1.get_default_graph().get_operation_by_name("save/restore_all")
    ...     print(main_op_with_restore(restore).type)
    NoOp
    """
    with control_dependencies([main_op()]):
        return group(restore_op_name)
