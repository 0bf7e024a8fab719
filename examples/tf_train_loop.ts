/**
 * The article's program 5(b), "TensorFlow custom loop with SGD and tf.losses.mse", line by line:
 * the Dense model of section 4 trained for 3 × epochs with a GradientTape and the SGD
 * optimizer's applyGradients.
 * Run: node dist/examples/tf_train_loop.js
 */
import { tf, RandomState } from "../src/index.js";
import { generateData } from "../src/article/data.js";

const rng = new RandomState(0);
const { x, y } = generateData(rng);
const xT = tf.constant(x);
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
const tfModelTrainLoop = new LinearRegressionKeras();
const optimizer = new tf.keras.optimizers.SGD({ learningRate });
for (let epoch = 0; epoch < epochs * 3; epoch++) {
  const xBatch = tf.reshape(xT, [200, 1]);
  const tape = new tf.GradientTape();
  const loss = tape.record(() => {
    let yPred = tfModelTrainLoop(xBatch);
    yPred = tf.reshape(yPred, [200]);
    return tf.losses.mse(yPred, yT);
  });
  const grads = tape.gradient(loss, tfModelTrainLoop.variables);
  optimizer.applyGradients(tf.zip(grads, tfModelTrainLoop.variables));
  if (epoch % 20 === 0) console.log(`Epoch ${epoch} : Loss ${loss.numpy()}`);
}
const [kernel, bias] = tfModelTrainLoop.trainableVariables;
console.log(`w = ${kernel.numpy()}, b = ${bias.numpy()}`);
