"""A finite-difference gradient checker for op tests.

``check_gradients(build, inputs)`` builds ``build(*placeholders)`` on float64
placeholders, differentiates ``sum(output * W)`` for fixed random weights ``W`` with
``tf.gradients``, and compares every input's gradient with central differences.

Import it as ``from tests.runtime.gradcheck import check_gradients``.
"""

from __future__ import annotations

import numpy as np

import runtime as tf


def check_gradients(build, inputs, *, delta=1e-4, rtol=1e-5, atol=1e-6, seed=0):
    """Assert that ``tf.gradients`` of ``build``'s output matches central differences.

    Parameters
    ----------
    build : callable
        ``build(*xs) -> Tensor`` (or a list of tensors) from float64 placeholders
        shaped like ``inputs``. Non-float outputs are ignored.
    inputs : list of numpy arrays
        Where to differentiate (kept away from kinks by the caller).
    delta : float
        The finite-difference step.
    rtol, atol : float
        Tolerances of ``numpy.testing.assert_allclose``.

    Returns
    -------
    (analytic, numeric) : lists of arrays, one pair per input.

    Examples
    --------
    >>> analytic, numeric = check_gradients(lambda x: x * x, [np.array([1.0, -2.0])])
    >>> bool(np.allclose(analytic[0], numeric[0]))
    True
    """
    inputs = [np.asarray(value, dtype=np.float64) for value in inputs]
    with tf.Graph().as_default() as graph:
        xs = [
            tf.compat.v1.placeholder(tf.float64, value.shape, name=f"x{i}")
            for i, value in enumerate(inputs)
        ]
        built = build(*xs)
        outputs = [t for t in (built if isinstance(built, list | tuple) else [built])]
        outputs = [t for t in outputs if t.dtype.base_dtype.is_floating]
        with tf.compat.v1.Session(graph=graph) as sess:
            values = sess.run(outputs, dict(zip(xs, inputs)))
            rng = np.random.default_rng(seed)
            terms = [
                tf.reduce_sum(tf.cast(t, tf.float64) * rng.standard_normal(np.shape(v)))
                for t, v in zip(outputs, values)
            ]
            loss = tf.add_n(terms)
            grads = tf.gradients(loss, xs)
            # An IndexedSlices gradient (tf.gather's) is compared densified.
            fetched = [
                tf.convert_to_tensor(g) if g is not None else tf.zeros_like(x)
                for g, x in zip(grads, xs)
            ]
            analytic = sess.run(fetched, dict(zip(xs, inputs)))
            loss_at = sess.make_callable(loss, xs)
            numeric = [_central_differences(loss_at, inputs, i, delta) for i in range(len(inputs))]
    for i, (got, want) in enumerate(zip(analytic, numeric)):
        np.testing.assert_allclose(
            got, want, rtol=rtol, atol=atol, err_msg=f"gradient of input {i}"
        )
    return analytic, numeric


def _central_differences(loss_at, inputs, index, delta) -> np.ndarray:
    base = inputs[index]
    grad = np.zeros_like(base)
    for position in np.ndindex(*base.shape):
        shifted = [v.copy() for v in inputs]
        shifted[index][position] = base[position] + delta
        above = loss_at(*shifted)
        shifted[index][position] = base[position] - delta
        below = loss_at(*shifted)
        grad[position] = (above - below) / (2 * delta)
    return grad
