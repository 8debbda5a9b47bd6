from compilelint.checks import compile_node, under_parameter_server
from compilelint.diagnostics import Effect
from compilelint.rule import Example, Finding, Rule

PSS = (
    "import tensorflow as tf\n"
    "strategy = tf.distribute.experimental.ParameterServerStrategy(cluster_resolver)\n"
    "with strategy.scope():\n"
    "    model = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=(4,))])\n"
    '    model.compile(optimizer="adam", loss="mse")\n'
)


class ParameterServerWithKeras3(Rule):
    """A ParameterServerStrategy model compiled with Keras 3.

    ## What it does
    Finds a model created or compiled under a `ParameterServerStrategy` scope when the file
    targets Keras 3 (`keras`, or `tf.keras` on TensorFlow >= 2.16).

    ## Why is this bad?
    Keras 3 has no ParameterServerStrategy support: `compile()` accepts everything and the
    first `fit()` fails with `ValueError: To use this dataset, you need to pass this dataset
    to ClusterCoordinator.create_per_worker_dataset.` Keras 2 supports it.

    ## Fix
    Train with Keras 2: install `tf_keras` and import it (or set `TF_USE_LEGACY_KERAS=1`
    for `tf.keras`), or switch to a strategy Keras 3 supports (MirroredStrategy,
    MultiWorkerMirroredStrategy, TPUStrategy).
    """

    code = "CL106"
    name = "parameter-server-with-keras-3"
    valid = [
        Example(PSS, keras="2"),
        Example(PSS.replace("import tensorflow as tf\n", "import tensorflow as tf\nimport tf_keras\n").replace("tf.keras.", "tf_keras."), keras="auto"),
    ]
    invalid = [Example(PSS, keras="3")]

    def check(self, site, ctx):
        if ctx.keras.major != 3 or not under_parameter_server(site):
            return
        yield Finding(
            compile_node(site),
            "ParameterServerStrategy with Keras 3: Keras 3 has no support for it, and the first fit() fails "
            "(\"ValueError: To use this dataset, you need to pass this dataset to "
            "ClusterCoordinator.create_per_worker_dataset.\"). Use tf_keras (Keras 2) or another strategy.",
            Effect.ERROR_AT_FIT,
        )
