"""compilelint: static analysis for Keras ``model.compile(...)`` calls."""

from __future__ import annotations

import os as _os

__version__ = "0.1.0"

# Installed wheels map ``compilelint.rules`` to the top-level ``rules/`` folder. When the
# package is imported straight from a source checkout (``python -m compilelint`` in the repo),
# that mapping does not exist, so the checkout root joins the package path to find it.
_checkout_root = _os.path.dirname(_os.path.dirname(_os.path.abspath(__file__)))
if not _os.path.isdir(_os.path.join(__path__[0], "rules")) and _os.path.isfile(
    _os.path.join(_checkout_root, "rules", "__init__.py")
):
    __path__.append(_checkout_root)
