"""A variational autoencoder that wraps an encoder and a decoder and trains on images alone."""
import keras
import tensorflow as tf

latent_dim = 2
encoder_inputs = keras.Input(shape=(8, 8, 1))
x = keras.layers.Flatten()(encoder_inputs)
z_mean = keras.layers.Dense(latent_dim)(x)
z_log_var = keras.layers.Dense(latent_dim)(x)
encoder = keras.Model(encoder_inputs, [z_mean, z_log_var], name="encoder")
latent_inputs = keras.Input(shape=(latent_dim,))
decoded = keras.layers.Reshape((8, 8, 1))(keras.layers.Dense(64, activation="sigmoid")(latent_inputs))
decoder = keras.Model(latent_inputs, decoded, name="decoder")


class VAE(keras.Model):
    def __init__(self, encoder, decoder, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder

    def train_step(self, data):
        with tf.GradientTape() as tape:
            mean, log_var = self.encoder(data)
            sample = mean + tf.exp(0.5 * log_var) * tf.random.normal(tf.shape(mean))
            reconstruction = self.decoder(sample)
            loss = tf.reduce_mean(tf.square(data - reconstruction)) - 0.5 * tf.reduce_mean(1 + log_var - tf.square(mean) - tf.exp(log_var))
        grads = tape.gradient(loss, self.trainable_weights)
        self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
        return {"loss": loss}


vae = VAE(encoder, decoder)
vae.compile(optimizer=keras.optimizers.Adam())
