"""numpy kernels: pure functions ``kernel(*inputs, **attrs) -> tuple of outputs``.

Kernels never modify their inputs (values are shared between consumers) and import
nothing from the graph or session layers. Importing this package registers them all.
"""

from . import (
    array,
    bitwise,
    control,
    linalg,  # matrix inverses, factorizations, solvers, diagonals
    logging,
    math,
    nn,
    queue,  # data flow: queues
    random,
    resource_variables,  # TF2 graphs' variables
    segment,  # segment reductions, unique, bincount, top k
    state,  # variables
    tensor_array,  # TensorArrays
    tensor_list,  # TF2's TensorLists
    training,  # optimizers
)
