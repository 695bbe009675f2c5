"""Companion package of the course "What CNNs learn and how to reuse them".

Each module covers one topic; notebooks import the functions they need, e.g.
``from helpers import config, data, zoo``.
"""

__version__ = "0.1.0"
