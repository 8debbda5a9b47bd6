"""A GAN whose compile() override sets what its train_step needs after super().compile()."""
import keras
import tensorflow as tf

latent = 4


class AdversarialPair(keras.Model):
    def __init__(self, discriminator, generator):
        super().__init__()
        self.discriminator = discriminator
        self.generator = generator

    def compile(self, d_optimizer, g_optimizer, loss_fn):
        super().compile()
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.loss_fn = loss_fn

    def train_step(self, real_images):
        batch = tf.shape(real_images)[0]
        noise = tf.random.normal((batch, latent))
        fake = self.generator(noise)
        with tf.GradientTape() as tape:
            scores = self.discriminator(tf.concat([fake, real_images], axis=0))
            labels = tf.concat([tf.ones((batch, 1)), tf.zeros((batch, 1))], axis=0)
            d_loss = self.loss_fn(labels, scores)
        grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))
        with tf.GradientTape() as tape:
            scores = self.discriminator(self.generator(tf.random.normal((batch, latent))))
            g_loss = self.loss_fn(tf.zeros((batch, 1)), scores)
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
        return {"d_loss": d_loss, "g_loss": g_loss}


discriminator = keras.Sequential([keras.Input((6, 6, 1)), keras.layers.Flatten(), keras.layers.Dense(1)], name="discriminator")
generator = keras.Sequential([keras.Input((latent,)), keras.layers.Dense(36), keras.layers.Reshape((6, 6, 1))], name="generator")
gan = AdversarialPair(discriminator=discriminator, generator=generator)
gan.compile(
    d_optimizer=keras.optimizers.Adam(1e-4),
    g_optimizer=keras.optimizers.Adam(1e-4),
    loss_fn=keras.losses.BinaryCrossentropy(from_logits=True),
)
gan.fit(tf.data.Dataset.from_tensor_slices(tf.zeros((4, 6, 6, 1))).batch(2), epochs=1)
