/**
 * The article's program 5(b), "TensorFlow custom loop": a Dense layer trained with a
 * GradientTape, tf.losses.mse and the SGD optimizer's applyGradients.
 */
import { tf } from "../../index.js";
import type { ProgramInput, ProgramResult } from "./types.js";

// The article's section 4 model; each program file defines it so its listing reads on its own.
class LinearRegressionKeras extends tf.keras.Model {
  linear = new tf.keras.layers.Dense(1, { activation: null });
  call(x: tf.Tensor) {
    return this.linear(x);
  }
}

/** Fits y = w·x + b for 3 × epochs with the library's optimizer and loss. */
export function tfTrainLoop({ data, epochs, learningRate, seed, log }: ProgramInput): ProgramResult {
  const x = tf.constant(data.x);
  const y = tf.constant(data.y);
  const n = data.x.length;
  const losses: number[] = [];

  tf.random.setSeed(seed);
  const tfModelTrainLoop = new LinearRegressionKeras();
  const optimizer = new tf.keras.optimizers.SGD({ learningRate });
  for (let epoch = 0; epoch < epochs * 3; epoch++) {
    const xBatch = tf.reshape(x, [n, 1]);
    const tape = new tf.GradientTape();
    const loss = tape.record(() => {
      let yPred = tfModelTrainLoop(xBatch);
      yPred = tf.reshape(yPred, [n]);
      return tf.losses.mse(yPred, y);
    });
    const grads = tape.gradient(loss, tfModelTrainLoop.variables);
    optimizer.applyGradients(tf.zip(grads, tfModelTrainLoop.variables));
    losses.push(loss.numpy());
    if (epoch % 20 === 0) log(`Epoch ${epoch} : Loss ${loss.numpy()}`);
  }

  const [kernel, bias] = tfModelTrainLoop.trainableVariables;
  return { w: kernel.numpy()[0][0], b: bias.numpy()[0], losses };
}
