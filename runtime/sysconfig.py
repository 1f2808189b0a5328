"""``tf.sysconfig``: how the runtime was built -- which, being numpy, is without CUDA.

TF's compile and link flags serve building C++ kernels against TF, which the runtime
does not load (see ``tests/runtime/tf_names.py`` for the names left out).

Examples
--------
>>> import runtime as tf
>>> tf.sysconfig.get_build_info()["is_cuda_build"]
False
"""

import platform

__all__ = ["get_build_info"]


def get_build_info() -> dict:
    """The build's properties, under TF's keys."""
    return {
        "cpu_compiler": platform.python_compiler(),
        "is_cuda_build": False,
        "is_rocm_build": False,
        "is_tensorrt_build": False,
    }
