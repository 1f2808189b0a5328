"""numpy kernels: pure functions ``kernel(*inputs, **attrs) -> tuple of outputs``.

Kernels never modify their inputs (values are shared between consumers) and import
nothing from the graph or session layers. Importing this package registers them all.
"""

from . import (
    accumulators,  # data flow: conditional accumulators
    array,
    audio,  # WAV files, the clock
    bitwise,
    compression,  # ZLIB and GZIP strings
    control,
    image,  # resizing, crop_and_resize, contrast
    image_boxes,  # non-max suppression, drawing boxes, glimpses, box sampling
    image_colour,  # HSV, hue, saturation
    image_scale,  # ScaleAndTranslate: Lanczos, Gaussian, Mitchell resizing, antialiasing
    layout,  # space, depth and batch blocks
    legacy,  # op types GraphDefs of TF 1.x hold (Div, Concat, Gather, BatchMatMul ...)
    linalg,  # matrix inverses, factorizations, solvers, diagonals
    logging,
    math,
    nn,
    queue,  # data flow: queues
    random,
    resource_variables,  # TF2 graphs' variables
    scatter,  # writes at indices, variable row updates
    segment,  # segment reductions, unique, bincount, top k
    sets,  # set operations along the last axis
    signal,  # FFTs
    sparse,  # SparseTensors
    sparse_features,  # feature crosses, bag-of-ids counts
    state,  # variables
    strings,  # string ops
    tensor_array,  # TensorArrays
    tensor_list,  # TF2's TensorLists
    training,  # optimizers
    unicode,  # Unicode decoding, encoding, scripts
)
