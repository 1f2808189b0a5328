"""``tf.image``: image ops under TF2's names, and ``tf.compat.v1.image`` (:data:`v1`:
TF1's ``resize_images``/``resize`` with the legacy pixel mapping, ``resize_bilinear``
and kin, ``crop_and_resize(box_ind=...)``, ``ResizeMethod`` as numbers).

Examples
--------
>>> import runtime as tf
>>> with tf.Graph().as_default():
...     image = tf.reshape(tf.range(4.0), [2, 2, 1])
...     print(tf.compat.v1.Session().run(tf.image.flip_left_right(image))[:, :, 0])
[[1. 0.]
 [3. 2.]]
"""

import types

from .ops import image_ops
from .ops.image_ops import (
    ResizeMethod,
    adjust_brightness,
    adjust_contrast,
    central_crop,
    convert_image_dtype,
    crop_and_resize,
    crop_to_bounding_box,
    decode_image,
    decode_jpeg,
    decode_png,
    encode_png,
    flip_left_right,
    flip_up_down,
    grayscale_to_rgb,
    pad_to_bounding_box,
    per_image_standardization,
    random_brightness,
    random_contrast,
    random_crop,
    random_flip_left_right,
    random_flip_up_down,
    resize,
    resize_with_crop_or_pad,
    rgb_to_grayscale,
    rot90,
    transpose,
)

__all__ = [
    "ResizeMethod",
    "adjust_brightness",
    "adjust_contrast",
    "central_crop",
    "convert_image_dtype",
    "crop_and_resize",
    "crop_to_bounding_box",
    "decode_image",
    "decode_jpeg",
    "decode_png",
    "encode_png",
    "flip_left_right",
    "flip_up_down",
    "grayscale_to_rgb",
    "pad_to_bounding_box",
    "per_image_standardization",
    "random_brightness",
    "random_contrast",
    "random_crop",
    "random_flip_left_right",
    "random_flip_up_down",
    "resize",
    "resize_with_crop_or_pad",
    "rgb_to_grayscale",
    "rot90",
    "transpose",
]

# tf.compat.v1.image: the same names, with TF1's versions where they differ.
V1_OVERRIDES = {
    "ResizeMethod": image_ops.ResizeMethodV1,
    "crop_and_resize": image_ops.crop_and_resize_v1,
    "resize": image_ops.resize_images,
    "resize_bicubic": image_ops.resize_bicubic,
    "resize_bilinear": image_ops.resize_bilinear,
    "resize_image_with_crop_or_pad": resize_with_crop_or_pad,
    "resize_images": image_ops.resize_images,
    "resize_nearest_neighbor": image_ops.resize_nearest_neighbor,
    "transpose_image": transpose,
}
v1 = types.ModuleType("runtime.compat.v1.image", "``tf.compat.v1.image``: TF1's signatures.")
v1.__dict__.update({name: globals()[name] for name in __all__})
v1.__dict__.update(V1_OVERRIDES)
