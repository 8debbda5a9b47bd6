"""A functional model with its own train_step that unpacks the (x, y) pairs fit gives it."""
import keras
import tensorflow as tf


class PairwiseTrainer(keras.Model):
    def train_step(self, data):
        features, labels = data
        with tf.GradientTape() as tape:
            predictions = self(features, training=True)
            loss = self.compute_loss(x=features, y=labels, y_pred=predictions)
        gradients = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(gradients, self.trainable_variables))
        return {"loss": loss}


inputs = keras.Input(shape=(6,))
hidden = keras.layers.Dense(8, activation="relu")(inputs)
model = PairwiseTrainer(inputs, keras.layers.Dense(3, activation="softmax")(hidden))
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(tf.data.Dataset.from_tensor_slices(([[0.0] * 6], [1])).batch(1), epochs=2)
