"""The cheap test before parsing: files that call compile() or build an optimizer the
optimizer rules speak about are candidates; everything else is never parsed."""

import pytest

from compilelint.prefilter import may_need_parsing, needs_parsing

CANDIDATES = [
    "model.compile(optimizer='adam')",
    "model . compile (\n    loss='mse')",
    "from keras import optimizers\nopt = optimizers.Adam(lr=1e-3)",
    "import tensorflow as tf\nopt = tf.keras.optimizers.SGD(\n    0.1,\n    decay=1e-6)",
    "import tensorflow as tf\nopt = tf.keras.optimizers.legacy.Adam()",
    "from tensorflow.keras.optimizers.legacy import Adam",
    "from keras.optimizers import legacy",
    "from keras import optimizers\nopt = optimizers.rmsprop(0.01)",
]

NOT_CANDIDATES = [
    "",
    "# compile( is mentioned in a comment only, without the attribute dot",
    "def compile(self): pass",
    "from keras import optimizers\nopt = optimizers.AdamW(weight_decay=1e-4)",
    "from keras import optimizers\nself.lr = 0.1\nlr = 0.1",
    "import torch\nopt = torch.optim.Adam(params, lr=1e-3)",  # lr= but nothing named optimizers
    "from keras import optimizers\nif lr == 0.1: pass",
    "from keras import optimizers\nschedule(clr=0.1, legacy_mode=True)",
]


@pytest.mark.parametrize("text", CANDIDATES)
def test_candidates(text):
    assert needs_parsing(text)
    assert may_need_parsing(text.encode())


@pytest.mark.parametrize("text", NOT_CANDIDATES)
def test_not_candidates(text):
    assert not needs_parsing(text)
    assert not may_need_parsing(text.encode())


def test_an_optimizer_helper_without_compile_is_checked(lint):
    code = "import keras\n\ndef make_optimizer(config):\n    return keras.optimizers.Adam(lr=config.lr)\n"
    assert [d.code for d in lint(code, keras="3")] == ["CL401"]
