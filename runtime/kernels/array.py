"""Kernels of array ops: constants, placeholders, identity and shape manipulation."""

from __future__ import annotations

from ..dtypes import short_name
from ..errors import InvalidArgumentError
from ..registry import register_kernel


@register_kernel("Const")
def const(*, value, dtype):
    return (value,)


@register_kernel("Placeholder", context=True)
def placeholder(ctx, *, dtype, shape):
    # Reached only when the placeholder was not fed.
    shown = ""
    if shape is not None and shape.rank is not None:
        dims = ",".join("?" if d is None else str(d) for d in shape.as_tuple())
        shown = f" and shape [{dims}]"
    raise InvalidArgumentError(
        None,
        None,
        f"You must feed a value for placeholder tensor '{ctx.op.name}' with dtype "
        f"{short_name(dtype)}{shown}",
    )


@register_kernel("PlaceholderWithDefault")
def placeholder_with_default(value, *, dtype, shape):
    return (value,)


@register_kernel("Identity")
def identity(x, *, T):
    return (x,)
