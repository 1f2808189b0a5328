"""The value of a dead tensor: the untaken output of a TF1 ``Switch``.

A leaf module, so kernels (which produce it) and the execution state (which
propagates it) share one sentinel.
"""


class _Dead:
    """The value of a dead tensor (the untaken side of a ``Switch``)."""

    __slots__ = ()

    def __repr__(self):
        return "DEAD"

    def __reduce__(self):  # one instance, also across processes (Dask workers)
        return "DEAD"


DEAD = _Dead()
