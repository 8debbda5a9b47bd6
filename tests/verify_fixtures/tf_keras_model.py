"""Keras 2 (tf_keras): asking for both run_eagerly and jit_compile raises ValueError in compile()."""
import tf_keras as keras


def clean():
    model = keras.Sequential([keras.layers.Dense(3, activation="softmax", input_shape=(4,))])
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    return model


def eager_and_jit():
    model = keras.Sequential([keras.layers.Dense(1, input_shape=(4,))])
    model.compile(optimizer="adam", loss="mse", jit_compile=True, run_eagerly=True)  # noqa: CL101 (what verify reports too)
    return model


def eager_only():
    model = keras.Sequential([keras.layers.Dense(1, input_shape=(4,))])
    model.compile(optimizer="adam", loss="mse", run_eagerly=True)
    return model


class PairTrainer(keras.Model):
    def train_step(self, data):
        features, labels = data
        return super().train_step((features, labels))


def custom_step():
    inputs = keras.Input((4,))
    model = PairTrainer(inputs, keras.layers.Dense(2, activation="softmax")(inputs))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model
