"""``tf.distribute``: what a TF1 program takes from it, ``tf.distribute.Server``.

Distribution strategies (TF2's multi-device training) are not here: a TF1 program
distributes with ``tf.train.ClusterSpec``, ``tf.distribute.Server``,
``tf.train.replica_device_setter`` and a session on the server's target, which runs on
a Dask cluster (:mod:`runtime.distributed`).
"""

from .training.server_lib import Server

__all__ = ["Server"]
