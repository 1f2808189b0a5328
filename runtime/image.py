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

from .ops import image_box_ops, image_ops, layout_ops
from .ops.image_box_ops import (
    combined_non_max_suppression,
    non_max_suppression,
    non_max_suppression_padded,
    non_max_suppression_with_scores,
)
from .ops.image_colour_ops import (
    adjust_gamma,
    adjust_hue,
    adjust_saturation,
    hsv_to_rgb,
    random_hue,
    random_saturation,
    rgb_to_hsv,
    rgb_to_yiq,
    rgb_to_yuv,
    yiq_to_rgb,
    yuv_to_rgb,
)
from .ops.image_metric_ops import (
    image_gradients,
    psnr,
    sobel_edges,
    ssim,
    ssim_multiscale,
    total_variation,
)
from .ops.image_ops import (
    ResizeMethod,
    adjust_brightness,
    adjust_contrast,
    adjust_jpeg_quality,
    central_crop,
    convert_image_dtype,
    crop_and_resize,
    crop_to_bounding_box,
    decode_and_crop_jpeg,
    decode_bmp,
    decode_gif,
    decode_image,
    decode_jpeg,
    decode_png,
    decode_webp,
    encode_jpeg,
    encode_png,
    extract_jpeg_shape,
    flip_left_right,
    flip_up_down,
    grayscale_to_rgb,
    is_jpeg,
    pad_to_bounding_box,
    per_image_standardization,
    random_brightness,
    random_contrast,
    random_crop,
    random_flip_left_right,
    random_flip_up_down,
    random_jpeg_quality,
    resize,
    resize_with_crop_or_pad,
    resize_with_pad,
    rgb_to_grayscale,
    rot90,
    transpose,
)
from .ops.layout_ops import extract_image_patches_v2 as extract_patches

draw_bounding_boxes = image_box_ops.draw_bounding_boxes_v2
extract_glimpse = image_box_ops.extract_glimpse_v2
non_max_suppression_overlaps = image_box_ops.non_max_suppression_with_overlaps
sample_distorted_bounding_box = image_box_ops.sample_distorted_bounding_box_v2

__all__ = [
    "ResizeMethod",
    "adjust_brightness",
    "adjust_contrast",
    "adjust_gamma",
    "adjust_hue",
    "adjust_jpeg_quality",
    "adjust_saturation",
    "central_crop",
    "combined_non_max_suppression",
    "convert_image_dtype",
    "crop_and_resize",
    "crop_to_bounding_box",
    "decode_and_crop_jpeg",
    "decode_bmp",
    "decode_gif",
    "decode_image",
    "decode_jpeg",
    "decode_png",
    "decode_webp",
    "draw_bounding_boxes",
    "extract_glimpse",
    "extract_jpeg_shape",
    "extract_patches",
    "encode_jpeg",
    "encode_png",
    "flip_left_right",
    "flip_up_down",
    "grayscale_to_rgb",
    "hsv_to_rgb",
    "image_gradients",
    "is_jpeg",
    "non_max_suppression",
    "non_max_suppression_overlaps",
    "non_max_suppression_padded",
    "non_max_suppression_with_scores",
    "pad_to_bounding_box",
    "per_image_standardization",
    "psnr",
    "random_brightness",
    "random_contrast",
    "random_crop",
    "random_flip_left_right",
    "random_flip_up_down",
    "random_hue",
    "random_jpeg_quality",
    "random_saturation",
    "resize",
    "resize_with_crop_or_pad",
    "resize_with_pad",
    "rgb_to_grayscale",
    "rgb_to_hsv",
    "rgb_to_yiq",
    "rgb_to_yuv",
    "rot90",
    "sample_distorted_bounding_box",
    "sobel_edges",
    "ssim",
    "ssim_multiscale",
    "total_variation",
    "transpose",
    "yiq_to_rgb",
    "yuv_to_rgb",
]

# tf.compat.v1.image: the same names, with TF1's versions where they differ.
V1_OVERRIDES = {
    "ResizeMethod": image_ops.ResizeMethodV1,
    "draw_bounding_boxes": image_box_ops.draw_bounding_boxes,
    "extract_glimpse": image_box_ops.extract_glimpse,
    "extract_image_patches": layout_ops.extract_image_patches,
    "sample_distorted_bounding_box": image_box_ops.sample_distorted_bounding_box,
    "crop_and_resize": image_ops.crop_and_resize_v1,
    "resize": image_ops.resize_images,
    "resize_area": image_ops.resize_area,
    "resize_image_with_pad": image_ops.resize_image_with_pad_v1,
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
