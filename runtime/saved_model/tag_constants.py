"""``tf.saved_model.tag_constants``: the tags that name a SavedModel's meta graphs.

Examples
--------
>>> SERVING, TRAINING
('serve', 'train')
"""

SERVING = "serve"
TRAINING = "train"
EVAL = "eval"
GPU = "gpu"
TPU = "tpu"
