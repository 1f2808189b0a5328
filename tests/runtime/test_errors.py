"""The tf.errors tree, codes, the one message formatter and creation tracebacks."""

from __future__ import annotations

import pickle

import pytest

import runtime as tf
from runtime import errors

CLASSES = {
    "CancelledError": 1,
    "UnknownError": 2,
    "InvalidArgumentError": 3,
    "DeadlineExceededError": 4,
    "NotFoundError": 5,
    "AlreadyExistsError": 6,
    "PermissionDeniedError": 7,
    "ResourceExhaustedError": 8,
    "FailedPreconditionError": 9,
    "AbortedError": 10,
    "OutOfRangeError": 11,
    "UnimplementedError": 12,
    "InternalError": 13,
    "UnavailableError": 14,
    "DataLossError": 15,
    "UnauthenticatedError": 16,
}
CODES = {
    "OK": 0,
    "CANCELLED": 1,
    "UNKNOWN": 2,
    "INVALID_ARGUMENT": 3,
    "DEADLINE_EXCEEDED": 4,
    "NOT_FOUND": 5,
    "ALREADY_EXISTS": 6,
    "PERMISSION_DENIED": 7,
    "RESOURCE_EXHAUSTED": 8,
    "FAILED_PRECONDITION": 9,
    "ABORTED": 10,
    "OUT_OF_RANGE": 11,
    "UNIMPLEMENTED": 12,
    "INTERNAL": 13,
    "UNAVAILABLE": 14,
    "DATA_LOSS": 15,
    "UNAUTHENTICATED": 16,
}


@pytest.mark.parametrize(("name", "code"), sorted(CLASSES.items()))
def test_every_class_has_tf_code_and_signature(name, code):
    cls = getattr(tf.errors, name)
    assert issubclass(cls, tf.errors.OpError)
    err = cls(None, None, "what happened")
    assert (err.error_code, err.message, err.op, err.node_def) == (
        code,
        "what happened",
        None,
        None,
    )
    assert str(err) == "what happened"
    assert tf.errors.error_code_from_exception_type(cls) == code
    assert tf.errors.exception_type_from_error_code(code) is cls
    assert tf.compat.v1.errors is tf.errors or getattr(tf.compat.v1.errors, name) is cls


@pytest.mark.parametrize(("name", "code"), sorted(CODES.items()))
def test_code_constants(name, code):
    assert getattr(tf.errors, name) == code


def test_op_error_takes_a_code():
    err = tf.errors.OpError(None, None, "m", tf.errors.INVALID_ARGUMENT)
    assert err.error_code == 3 and err.message == "m"
    assert tf.errors.OpError(None, None, "m").error_code == tf.errors.UNKNOWN


def test_subclass_of_a_tf_error_maps_to_its_code():
    class MyNotFound(tf.errors.NotFoundError):
        pass

    assert tf.errors.error_code_from_exception_type(MyNotFound) == tf.errors.NOT_FOUND


def test_code_of_a_non_tf_class_raises():
    with pytest.raises(KeyError, match=r"is not a tf\.errors\.OpError subclass"):
        tf.errors.error_code_from_exception_type(ValueError)
    with pytest.raises(KeyError, match="99"):
        tf.errors.exception_type_from_error_code(99)


def test_non_op_errors_are_the_builtin_kinds():
    assert issubclass(tf.errors.InaccessibleTensorError, ValueError)
    assert issubclass(tf.errors.OperatorNotAllowedInGraphError, TypeError)


def test_op_error_message_names_op_device_and_creation_site(graph):
    c = tf.constant(1.0, name="c")  # created here
    err = errors.op_error(tf.errors.InvalidArgumentError, c.op, "bad value", "/device:CPU:0")
    assert err.message == "Const 'c' on /device:CPU:0: bad value"
    assert err.op is c.op and err.node_def.name == "c"
    text = str(err)
    assert text.startswith("Const 'c' on /device:CPU:0: bad value")
    assert "Op 'c' was created at (most recent call last):" in text
    assert f'File "{__file__}"' in text
    assert 'c = tf.constant(1.0, name="c")  # created here' in text


def test_op_error_without_an_op_is_the_plain_text():
    err = errors.op_error(tf.errors.NotFoundError, None, "no op")
    assert (err.op, err.node_def, err.message, str(err)) == (None, None, "no op", "no op")


def test_original_op_chain_is_shown(graph):
    a = tf.constant(1.0, name="a")
    with graph._original_op(a.op):
        b = tf.identity(a, name="b")
    text = str(errors.op_error(tf.errors.UnknownError, b.op, "boom"))
    assert "...which was originally created as op 'a', defined at:" in text


def test_filename_formatter_renames_cells(graph):
    c = tf.constant(1.0)

    def formatter(filename):
        return "<cell 3>" if filename == __file__ else None

    errors.register_filename_formatter(formatter)
    try:
        text = str(errors.op_error(tf.errors.UnknownError, c.op, "x"))
    finally:
        errors.unregister_filename_formatter(formatter)
    assert 'File "<cell 3>"' in text
    assert 'File "<cell 3>"' not in str(errors.op_error(tf.errors.UnknownError, c.op, "x"))


def test_capture_traceback_drops_engine_frames():
    frames = errors.capture_traceback()
    assert frames and frames[-1][0] == __file__
    assert frames[-1][2] == "test_capture_traceback_drops_engine_frames"
    assert (
        errors.format_traceback([("<demo>", 3, "<module>")])
        == '  File "<demo>", line 3, in <module>'
    )


def test_errors_pickle_without_their_op(graph):
    c = tf.constant(1.0, name="c")
    err = errors.op_error(tf.errors.NotFoundError, c.op, "gone")
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is tf.errors.NotFoundError
    assert (back.message, back.error_code, back.op) == (err.message, 5, None)
