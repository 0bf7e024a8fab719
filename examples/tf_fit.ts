/**
 * The article's program 5(a), "Keras compile + fit", line by line: the Dense model of section 4
 * trained by Keras' own loop with SGD on the mean absolute error, in batches of 32, printing
 * Keras' progress bars.
 * Run: node dist/examples/tf_fit.js
 */
import { tf, RandomState } from "../src/index.js";
import { generateData } from "../src/article/data.js";

const rng = new RandomState(0);
const { x, y } = generateData(rng);
const xT = tf.constant(x); // 1-D, as the article passes it: fit treats it as [200, 1]
const yT = tf.constant(y);
const learningRate = 0.01;
const epochs = 100;

class LinearRegressionKeras extends tf.keras.Model {
  linear = new tf.keras.layers.Dense(1, { activation: null });
  call(x: tf.Tensor) {
    return this.linear(x);
  }
}

tf.random.setSeed(0);
const tfModelFit = new LinearRegressionKeras();
tfModelFit.compile({
  optimizer: new tf.keras.optimizers.SGD({ learningRate }),
  loss: tf.keras.losses.meanAbsoluteError,
});
const history = await tfModelFit.fit(xT, yT, { epochs, batchSize: 32 });

const [kernel, bias] = tfModelFit.trainableVariables;
console.log(`w = ${kernel.numpy()}, b = ${bias.numpy()}`);
console.log(`loss: ${history.history.loss[0].toFixed(4)} after the first epoch, ${history.history.loss[epochs - 1].toFixed(4)} after the last`);
tfModelFit.summary();
