/**
 * The article's program 2, "TensorFlow: raw variables and GradientTape": a Keras model holding
 * two tf.Variables, trained by hand with tape.gradient and assign.
 */
import { tf } from "../../index.js";
import type { ProgramInput, ProgramResult } from "./types.js";

class LinearRegressionKeras extends tf.keras.Model {
  w = new tf.Variable(tf.random.uniform([1], -0.1, 0.1));
  b = new tf.Variable(tf.random.uniform([1], -0.1, 0.1));
  call(x: tf.Tensor) {
    return x.mul(this.w).add(this.b);
  }
}

const squaredError = (yPred: tf.Tensor, yTrue: tf.Tensor) => tf.reduceMean(tf.square(yPred.sub(yTrue)));

/** Fits y = w·x + b with a GradientTape and plain `assign` updates. */
export function tfRaw({ data, epochs, learningRate, seed, log }: ProgramInput): ProgramResult {
  const x = tf.constant(data.x);
  const y = tf.constant(data.y);
  const losses: number[] = [];

  tf.random.setSeed(seed);
  const tfModel = new LinearRegressionKeras();
  const [w, b] = tfModel.trainableVariables;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const tape = new tf.GradientTape();
    const loss = tape.record(() => {
      const predictions = tfModel(x);
      return squaredError(predictions, y);
    });
    const [wGrad, bGrad] = tape.gradient(loss, tfModel.trainableVariables);
    w.assign(w.sub(wGrad.mul(learningRate)));
    b.assign(b.sub(bGrad.mul(learningRate)));
    losses.push(loss.numpy());
    if (epoch % 20 === 0) log(`Epoch ${epoch} : Loss ${loss.numpy()}`);
  }
  return { w: w.numpy()[0], b: b.numpy()[0], losses };
}
