"""Companion package of the course "What CNNs learn and how to reuse them".

Each module covers one topic; notebooks import the functions they need, e.g.
``from helpers import config, data, zoo``.
"""

import importlib.util
import os

if importlib.util.find_spec("tensorflow") is None:
    raise ImportError(
        "TensorFlow is not installed. Install the course with its cpu extra, "
        '`pip install -e ".[cpu,course]"` (or gpu instead of cpu on a machine with an NVIDIA '
        "GPU); Google Colab has TensorFlow already."
    )

# Before any module imports TensorFlow: its C++ start-up notices (absl, cpu_feature_guard)
# would otherwise land in the learner's notebook outputs. oneDNN's kernels are switched on by
# TensorFlow only on some CPUs (AVX-512 ones), which changes floating-point results by CPU
# and prints a notice that no log level hides; off, every machine computes the same numbers.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

__version__ = "0.1.0"
