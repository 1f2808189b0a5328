"""TensorFlow's protocol-buffer messages (GraphDef, NodeDef, AttrValue, TensorProto,
Event), compiled from the ``.proto`` files beside this module with TF's field numbers.

Regenerate after editing a ``.proto`` (from the project root)::

    python -m grpc_tools.protoc -I. --python_out=. runtime/proto/*.proto
"""
