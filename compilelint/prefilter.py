"""Which files need analysis at all: the cheap test every file passes through.

A file matters when it calls ``Model.compile`` (always an attribute call,
``<receiver>.compile(``) or builds a Keras optimizer the optimizer rules have something to
say about. Every optimizer the analysis recognises is named through ``optimizers``, and the
rules need an ``lr=`` / ``decay=`` keyword, a legacy optimizer (``optimizers.legacy``) or a
removed lowercase alias (``optimizers.rmsprop(``). Files without either shape (most files,
and those that only mention them in prose) are never parsed, and this module imports
nothing heavier than ``re`` so that deciding costs almost nothing.

Each test starts with a plain substring search (``in``, several GB/s); the regular
expressions all begin with a literal, so that they too skip ahead instead of trying every
position.
"""

from __future__ import annotations

import re

_COMPILE_CALL = r"\.\s*compile\s*\("
_LEGACY_OR_ALIAS = r"optimizers(?:\.legacy\b| import legacy|\.(?:sgd|rmsprop|adagrad|adadelta|adam|adamax|nadam)\s*\()"
_KEYWORDS = (r"lr\s*=(?!=)", r"decay\s*=(?!=)")  # a keyword argument when ( or , comes before


class _Test:
    """The test for one kind of data (``str`` or ``bytes``): the same patterns either way."""

    def __init__(self, kind: type) -> None:
        encode = (lambda pattern: pattern.encode()) if kind is bytes else (lambda pattern: pattern)
        self.compile_word, self.optimizers_word = encode("compile"), encode("optimizers")
        self.compile_call = re.compile(encode(_COMPILE_CALL))
        self.legacy_or_alias = re.compile(encode(_LEGACY_OR_ALIAS))
        self.keywords = [re.compile(encode(pattern)) for pattern in _KEYWORDS]
        self.blanks, self.openers = encode(" \t\r\n\\"), encode("(,")

    def __call__(self, data) -> bool:
        if self.compile_word in data and self.compile_call.search(data) is not None:
            return True
        if self.optimizers_word not in data:
            return False
        return self.legacy_or_alias.search(data) is not None or self.keyword_argument(data)

    def keyword_argument(self, data) -> bool:
        for pattern in self.keywords:
            for match in pattern.finditer(data):
                index = match.start() - 1
                while index >= 0 and data[index] in self.blanks:
                    index -= 1
                if index >= 0 and data[index] in self.openers:
                    return True
        return False


needs_parsing = _Test(str)
# ``needs_parsing`` on a file's raw bytes (every encoding Python accepts for source keeps
# ASCII as is), so most files are never decoded.
may_need_parsing = _Test(bytes)


def calls_compile(data: bytes) -> bool:
    """Whether raw source bytes hold a ``<receiver>.compile(`` call (what verify looks for)."""
    return may_need_parsing.compile_word in data and may_need_parsing.compile_call.search(data) is not None
