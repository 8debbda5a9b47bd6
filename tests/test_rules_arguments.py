"""CL3xx / CL4xx: what each message says per Keras version, where it points, and the fixes."""

import pytest

SEQUENTIAL = "import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\n"


def only(diagnostics, code):
    found = [d for d in diagnostics if d.code == code]
    assert len(found) == 1, diagnostics
    return found[0]


def test_unknown_keyword_suggests_the_parameter(lint):
    d = only(lint(SEQUENTIAL + "model.compile(optimizer='adam', loss='mse', jit_complie=True)\n", keras="3"), "CL301")
    assert "Did you mean `jit_compile`?" in d.message and "Keras 3 raises TypeError" in d.message
    assert (d.span.line, d.span.column) == (3, 45)


def test_version_only_keyword_names_the_other_version(lint):
    d = only(lint(SEQUENTIAL + "model.compile(loss='mse', pss_evaluation_shards=2)\n", keras="3", select=["CL301"]), "CL301")
    assert "exists only in Keras 2" in d.message
    assert lint(SEQUENTIAL + "model.compile(loss='mse', pss_evaluation_shards=2)\n", keras="2", select=["CL301"]) == []


def test_removed_argument_explains_each_version(lint):
    code = SEQUENTIAL + "model.compile(loss='mse', distribute=None)\n"
    k2 = only(lint(code, keras="2", select=["CL302"]), "CL302")
    k3 = only(lint(code, keras="3", select=["CL302"]), "CL302")
    assert "silently ignores `distribute=None`" in k2.message and k2.severity == "warning"
    assert "Keras 3 raises TypeError" in k3.message and k3.severity == "error"
    not_none = only(lint(SEQUENTIAL + "import tensorflow as tf\nmodel.compile(loss='mse', distribute=tf.distribute.MirroredStrategy())\n", keras="2", select=["CL302"]), "CL302")
    assert "raises ValueError in compile()" in not_none.message


def test_experimental_steps_fix_only_without_the_new_name(lint):
    alone = only(lint(SEQUENTIAL + "model.compile(loss='mse', experimental_steps_per_execution=4)\n", select=["CL302"]), "CL302")
    assert alone.fix is not None and alone.fix.edits[0].text == "steps_per_execution"
    both = only(lint(SEQUENTIAL + "model.compile(loss='mse', experimental_steps_per_execution=4, steps_per_execution=2)\n", keras="2", select=["CL302"]), "CL302")
    assert both.fix is None and "TypeError" in both.message


@pytest.mark.parametrize(
    "third, keyword",
    [("['accuracy']", "metrics"), ("'accuracy'", "metrics"), ("[keras.metrics.AUC()]", "metrics"), ("[1.0]", "loss_weights"), ("{'dense': 0.5}", "loss_weights")],
)
def test_positional_fix_picks_the_keyword_from_the_value(lint, third, keyword):
    d = only(lint(SEQUENTIAL + f"model.compile('adam', 'mse', {third})\n", keras="2,3", select=["CL303"]), "CL303")
    assert d.fix is not None and d.fix.edits[0].text == f"{keyword}={third}"


def test_positional_without_a_clear_value_has_no_fix(lint):
    d = only(lint(SEQUENTIAL + "from lib import chosen\nmodel.compile('adam', 'mse', chosen)\n", keras="2,3", select=["CL303"]), "CL303")
    assert d.fix is None
    # More positional arguments follow: turning one into a keyword would break the call.
    ds = lint(SEQUENTIAL + "model.compile('adam', 'mse', ['mae'], None, None, True)\n", keras="2,3", select=["CL303"])
    assert ds and all(d.fix is None for d in ds)


def test_metrics_string_is_wrapped(lint):
    d = only(lint(SEQUENTIAL + "model.compile(loss='mse', metrics=('mae'))\n", select=["CL304"]), "CL304")
    assert d.fix.edits[0].text == "['mae']"


@pytest.mark.parametrize(
    "loss, keras, expected",
    [("logcosh", "3", "exists only in Keras 2"), ("bce", "2", None), ("dice", "2", "exists only in Keras 3"), ("mean_sqared_error", "3", "Did you mean 'mean_squared_error'?")],
)
def test_loss_names_per_version(lint, loss, keras, expected):
    ds = lint(SEQUENTIAL + f"model.compile(optimizer='adam', loss='{loss}')\n", keras=keras, select=["CL305"])
    if expected is None:
        assert ds == []
    else:
        assert expected in only(ds, "CL305").message


def test_names_are_checked_inside_structures(lint):
    code = SEQUENTIAL + "model.compile(optimizer='adam', loss={'a': 'mse', 'b': 'msee'}, metrics=[['acc'], ['accuracyy']])\n"
    ds = lint(code, keras="3", select=["CL305", "CL306"])
    assert sorted((d.code, d.span.column) for d in ds) == [("CL305", 56), ("CL306", 84)]


def test_unknown_receiver_reports_only_near_misses(lint):
    code = "import keras\ndef train(task):\n    task.compile(optimizer='auto', loss='auto', metrics=['my_score'])\n"
    assert lint(code, keras="2,3", select=["CL305", "CL306", "CL307"]) == []


def test_optimizer_names_ignore_case(lint):
    assert lint(SEQUENTIAL + "model.compile(optimizer='RMSProp', loss='mse')\n", keras="2,3", select=["CL307"]) == []
    d = only(lint(SEQUENTIAL + "model.compile(optimizer='Adamm', loss='mse')\n", keras="3", select=["CL307"]), "CL307")
    assert "Did you mean 'adam'?" in d.message and d.severity == "error"


@pytest.mark.parametrize(
    "value, keras, fragment",
    [("0", "2", "silently runs 1 step"), ("0", "3", "range() arg 3 must not be zero"), ("-1", "3", "zero training steps"), ("'auto'", "3", "exists only in Keras 2"), ("2.5", "2", "TypeError in compile()"), ("None", "3", "'NoneType' object")],
)
def test_steps_per_execution_per_version(lint, value, keras, fragment):
    d = only(lint(SEQUENTIAL + f"model.compile(loss='mse', steps_per_execution={value})\n", keras=keras, select=["CL308"]), "CL308")
    assert fragment in d.message


def test_lr_through_a_variable_points_at_the_constructor(lint):
    code = SEQUENTIAL + "opt = keras.optimizers.Adam(lr=1e-4, beta_1=0.8)\nmodel.compile(optimizer=opt, loss='mse')\n"
    k2 = only(lint(code, keras="2", select=["CL401"]), "CL401")
    assert (k2.span.line, k2.span.column) == (3, 29) and "silently discards" in k2.message
    assert k2.fix.edits[0].text == "learning_rate"
    k3 = only(lint(code, keras="3", select=["CL401"]), "CL401")
    assert "ValueError" in k3.message and k3.severity == "error"


def test_lr_fix_skipped_when_learning_rate_is_given_too(lint):
    code = SEQUENTIAL + "model.compile(optimizer=keras.optimizers.SGD(0.1, lr=0.2), loss='mse')\n"
    assert only(lint(code, select=["CL401"]), "CL401").fix is None


def test_decay_none_is_harmless_on_keras_3(lint):
    code = SEQUENTIAL + "model.compile(optimizer=keras.optimizers.SGD(decay=None), loss='mse')\n"
    assert lint(code, keras="3", select=["CL402"]) == []
    assert "raises ValueError" in only(lint(code, keras="2", select=["CL402"]), "CL402").message


def test_tf1_optimizer_only_when_given_to_compile_under_keras_3(lint):
    code = "import tensorflow as tf\nmodel = tf.keras.Sequential([tf.keras.layers.Dense(1)])\nopt = tf.compat.v1.train.AdamOptimizer()\nmodel.compile(optimizer=opt, loss='mse')\n"
    assert lint(code, keras="2", select=["CL403"]) == []
    d = only(lint(code, keras="3", select=["CL403"]), "CL403")
    assert d.span.line == 4 and "Could not interpret optimizer identifier" in d.message


def test_shared_optimizer_reported_at_the_second_compile(lint):
    code = (
        "import keras\nopt = keras.optimizers.Adam()\n"
        "generator = keras.Sequential([keras.layers.Dense(2)])\n"
        "discriminator = keras.Sequential([keras.layers.Dense(1)])\n"
        "discriminator.compile(optimizer=opt, loss='binary_crossentropy')\n"
        "generator.compile(optimizer=opt, loss='mse')\n"
        "discriminator.train_on_batch(x, y)\ngenerator.train_on_batch(z, x)\n"
    )
    d = only(lint(code, keras="2,3", select=["CL404"]), "CL404")
    assert d.span.line == 6 and d.severity == "error"
