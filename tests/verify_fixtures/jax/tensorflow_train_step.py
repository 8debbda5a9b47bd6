"""A train_step written for TensorFlow: on JAX, fit calls train_step(state, data), so it fails."""
import keras
import tensorflow as tf


class Scorer(keras.Model):
    def train_step(self, data):
        features, labels = data
        with tf.GradientTape() as tape:
            loss = self.compute_loss(y=labels, y_pred=self(features, training=True))
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        return {"loss": loss}


inputs = keras.Input((6,))
model = Scorer(inputs, keras.layers.Dense(1)(inputs))
model.compile(optimizer="adam", loss="mse")
