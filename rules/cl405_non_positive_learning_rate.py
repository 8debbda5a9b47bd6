from compilelint.checks import keras_optimizer_kind, keyword_arg
from compilelint.diagnostics import Effect
from compilelint.rule import Example, Finding, Rule

SEQUENTIAL = "import keras\nmodel = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(1)])\n"
# Optimizer classes whose first positional parameter is not ``learning_rate``.
_NO_LEARNING_RATE_FIRST = frozenset({"Optimizer", "LossScaleOptimizer", "MultiOptimizer"})


class NonPositiveLearningRate(Rule):
    """An optimizer compiled into a model has a learning rate of zero or below.

    ## What it does
    Finds a Keras optimizer built with a literal (or constant) `learning_rate` of 0 or
    less, first positional or by keyword (`lr=` for the `tf.keras.optimizers.legacy`
    optimizers, which still take it), when that optimizer object is passed to
    `compile()`. Large learning rates are left alone (that is tuning); so is a module that
    changes the learning rate while training (`LearningRateScheduler`, an assignment to
    `optimizer.learning_rate`, `set_value`), and an optimizer only used inside another one
    (`MultiOptimizer`, a frozen part trained with 0).

    ## Why is this bad?
    Keras 2 and Keras 3 accept any number. With `learning_rate=0` every update is zero:
    the weights never change and the loss stays where it started. A negative learning
    rate steps along the gradient instead of against it: the loss rises from the first
    epoch (measured: Adam at -0.01 takes the loss from 1.6 to 160 in ten epochs). The
    Keras 2 legacy optimizers reject a negative `lr=` when they are built (`ValueError:
    Expected lr >= 0`), but not a negative `learning_rate=`.

    ## Fix
    Use a positive learning rate (Adam's default is 0.001).
    """

    code = "CL405"
    name = "non-positive-learning-rate"
    valid = [
        Example(SEQUENTIAL + "model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss='mse')\n"),
        Example(SEQUENTIAL + "model.compile(optimizer=keras.optimizers.SGD(10.0), loss='mse')\n"),
        Example(SEQUENTIAL + "model.compile(optimizer=keras.optimizers.Adam(learning_rate=args.lr), loss='mse')\n"),
        Example(
            SEQUENTIAL + "opt = keras.optimizers.SGD(learning_rate=0.0)\n"
            "warmup = keras.callbacks.LearningRateScheduler(lambda epoch, lr: 0.1 * min(1, epoch / 5))\n"
            "model.compile(optimizer=opt, loss='mse')\nmodel.fit(x, y, callbacks=[warmup])\n"
        ),
        Example(SEQUENTIAL + "frozen = keras.optimizers.SGD(learning_rate=0.0)\nopt = keras.optimizers.MultiOptimizer([(frozen, model.layers[0])])\nmodel.compile(optimizer=opt, loss='mse')\n", keras="3"),
    ]
    invalid = [
        Example(SEQUENTIAL + "model.compile(optimizer=keras.optimizers.Adam(learning_rate=0), loss='mse')\n"),
        Example(SEQUENTIAL + "LEARNING_RATE = -1e-3\nopt = keras.optimizers.RMSprop(LEARNING_RATE)\nmodel.compile(optimizer=opt, loss='mse')\n"),
        Example("import tensorflow as tf\nmodel = tf.keras.Sequential([tf.keras.layers.Dense(1)])\nmodel.compile(optimizer=tf.keras.optimizers.legacy.SGD(lr=-0.01), loss='mse')\n", keras="2"),
    ]

    def check_module(self, ctx):
        if ctx.facts.sets_learning_rate_at_run_time:
            return
        compiled = {id(site_optimizer) for site_optimizer in (ctx.value(site, "optimizer") for site in ctx.facts.sites)}
        for call in ctx.facts.optimizer_calls:
            if id(call) not in compiled:
                continue
            kind = keras_optimizer_kind(call.qualname)
            if kind is None or kind[1] in _NO_LEARNING_RATE_FIRST:
                continue
            family, class_name = kind
            if family == "compat_v1" or (family == "legacy" and ctx.keras.major == 3):
                continue  # not a Keras 3 optimizer at all (CL403)
            for keyword, value, node in learning_rates(call, family):
                if isinstance(value, bool) or not isinstance(value, (int, float)) or value > 0:
                    continue
                yield self.finding(class_name, keyword, value, node, ctx.shared_label)

    @staticmethod
    def finding(class_name, keyword, value, node, keras_label):
        written = f"{class_name}({keyword}={value!r})"
        if keyword == "lr" and value < 0:
            message = (
                f"{written}: Keras 2 raises ValueError when this legacy optimizer is built (\"Expected lr >= 0, "
                f"received: {value!r}\"). Use a positive learning rate."
            )
            return Finding(node, message, Effect.ERROR_AT_COMPILE)
        if value == 0:
            effect = "every update is zero, so the weights never change and the loss stays where it started"
        else:
            effect = "it steps along the gradient instead of against it, so the loss rises instead of falling"
        accepts = "accept" if " and " in keras_label else "accepts"
        message = f"{written}: {keras_label} {accepts} it silently, and {effect}. Use a positive learning rate."
        return Finding(node, message, Effect.SILENT)


def learning_rates(call, family: str):
    """(keyword, value, node) for the learning rate the optimizer call passes: the first
    positional argument or ``learning_rate=``, and ``lr=`` for legacy optimizers (current
    ones discard it in Keras 2 and reject it in Keras 3: CL401)."""
    argument = keyword_arg(call.node, "learning_rate")
    if argument is not None:
        yield "learning_rate", call.kwargs.get("learning_rate"), argument
    elif call.args and call.node.args and call.node.args[0].keyword is None and not call.node.args[0].star:
        yield "learning_rate", call.args[0], call.node.args[0]
    if family == "legacy":
        argument = keyword_arg(call.node, "lr")
        if argument is not None:
            yield "lr", call.kwargs.get("lr"), argument
