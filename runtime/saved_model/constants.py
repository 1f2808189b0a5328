"""``tf.saved_model.constants``: the file and collection names of a SavedModel export.

Examples
--------
>>> SAVED_MODEL_FILENAME_PB, VARIABLES_DIRECTORY, MAIN_OP_KEY
('saved_model.pb', 'variables', 'saved_model_main_op')
"""

ASSETS_DIRECTORY = "assets"
EXTRA_ASSETS_DIRECTORY = "assets.extra"
ASSETS_KEY = "saved_model_assets"
LEGACY_INIT_OP_KEY = "legacy_init_op"
MAIN_OP_KEY = "saved_model_main_op"
TRAIN_OP_KEY = "saved_model_train_op"
SAVED_MODEL_SCHEMA_VERSION = 1
SAVED_MODEL_FILENAME_PB = "saved_model.pb"
SAVED_MODEL_FILENAME_PBTXT = "saved_model.pbtxt"
DEBUG_DIRECTORY = "debug"
DEBUG_INFO_FILENAME_PB = "saved_model_debug_info.pb"
VARIABLES_DIRECTORY = "variables"
VARIABLES_FILENAME = "variables"
# The signature keys TF2's builder files its init and train ops under (TF1 readers look
# there first).
INIT_OP_SIGNATURE_KEY = "__saved_model_init_op"
TRAIN_OP_SIGNATURE_KEY = "__saved_model_train_op"
