"""Companion package of the course "What CNNs learn and how to reuse them".

Each module covers one topic; notebooks import the functions they need, e.g.
``from helpers import config, data, zoo``.
"""

import os

# Before any module imports TensorFlow: its C++ start-up notices (absl, cpu_feature_guard,
# oneDNN) would otherwise land in the learner's notebook outputs.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__version__ = "0.1.0"
