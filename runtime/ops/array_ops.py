"""The array ops, one import away: TF's ``array_ops`` namespace.

The ops live in modules by job; this module gathers their builders, as TF's
``array_ops`` does, so ``array_ops.reshape`` and ``from .array_ops import *`` keep
working:

- :mod:`~runtime.ops.placeholder_ops`: placeholders, ``identity``, ``stop_gradient``;
- :mod:`~runtime.ops.shape_ops`: ``shape``/``size``/``rank``, ``reshape``,
  ``expand_dims``, ``squeeze``, ``transpose``, ``broadcast_to``;
- :mod:`~runtime.ops.concat_ops`: ``concat``, ``stack``/``unstack``, ``split``;
- :mod:`~runtime.ops.slicing_ops`: ``slice``, ``strided_slice`` (``tensor[...]``),
  ``boolean_mask``, ``reverse``, ``reverse_sequence``, ``roll``;
- :mod:`~runtime.ops.gather_scatter_ops`: ``gather``, ``gather_nd``, ``scatter_nd``,
  ``tensor_scatter_nd_*`` and the variable updates ``scatter_*``;
- :mod:`~runtime.ops.fill_ops`: ``fill``, ``zeros``/``ones``, ``one_hot``,
  ``sequence_mask``, ``meshgrid``;
- :mod:`~runtime.ops.tile_pad_ops`: ``tile``, ``pad``;
- :mod:`~runtime.ops.layout_ops`: ``space_to_depth``, ``space_to_batch_nd`` and kin;
- :mod:`~runtime.ops.search_ops`: ``searchsorted``, ``histogram_fixed_width``,
  ``setdiff1d``.

Their gradients are in :mod:`~runtime.ops.array_grad`.
"""

# ruff: noqa: F401, F403 - a namespace: it re-exports the modules' builders
from __future__ import annotations

from . import array_grad  # registers the gradients of the ops below
from .concat_ops import *
from .concat_ops import __all__ as _concat_all
from .fill_ops import *
from .fill_ops import __all__ as _fill_all
from .fill_ops import ones_like_v1, zeros_like_v1
from .gather_scatter_ops import *
from .gather_scatter_ops import __all__ as _gather_scatter_all
from .gather_scatter_ops import (
    batch_gather,
    gather_v1,
    tensor_scatter_nd_add,
    tensor_scatter_nd_sub,
    tensor_scatter_nd_update,
)
from .layout_ops import *
from .layout_ops import __all__ as _layout_all
from .layout_ops import (
    batch_to_space_nd,
    batch_to_space_v1,
    depth_to_space,
    depth_to_space_v2,
    extract_image_patches,
    space_to_batch_v1,
    space_to_depth,
    space_to_depth_v2,
)
from .packing import convert_or_pack
from .placeholder_ops import *
from .placeholder_ops import PLACEHOLDER
from .placeholder_ops import __all__ as _placeholder_all
from .search_ops import *
from .search_ops import __all__ as _search_all
from .search_ops import setdiff1d
from .shape_ops import *
from .shape_ops import __all__ as _shape_all
from .shape_ops import expand_dims_v1, shape_v1, size_v1, squeeze_v1, transpose_v1
from .slicing_ops import *
from .slicing_ops import __all__ as _slicing_all
from .slicing_ops import boolean_mask_v1, reverse_sequence_v1, slice_helper
from .tile_pad_ops import *
from .tile_pad_ops import __all__ as _tile_pad_all
from .tile_pad_ops import pad_v1

# TF2's names (what ``from .array_ops import *`` gives).
__all__ = sorted(
    {
        *_concat_all,
        *_fill_all,
        *_gather_scatter_all,
        *_layout_all,
        *_placeholder_all,
        *_search_all,
        *_shape_all,
        *_slicing_all,
        *_tile_pad_all,
    }
)

# tf.compat.v1's array names where they differ: TF1's signatures, and names only TF1 has.
V1_OVERRIDES = {
    "batch_gather": batch_gather,
    "batch_to_space": batch_to_space_v1,
    "batch_to_space_nd": batch_to_space_nd,
    "boolean_mask": boolean_mask_v1,
    "depth_to_space": depth_to_space,
    "expand_dims": expand_dims_v1,
    "extract_image_patches": extract_image_patches,
    "gather": gather_v1,
    "ones_like": ones_like_v1,
    "pad": pad_v1,
    "reverse_sequence": reverse_sequence_v1,
    "setdiff1d": setdiff1d,
    "shape": shape_v1,
    "size": size_v1,
    "space_to_batch": space_to_batch_v1,
    "space_to_depth": space_to_depth,
    "squeeze": squeeze_v1,
    "tensor_scatter_add": tensor_scatter_nd_add,
    "tensor_scatter_sub": tensor_scatter_nd_sub,
    "tensor_scatter_update": tensor_scatter_nd_update,
    "transpose": transpose_v1,
    "zeros_like": zeros_like_v1,
}
