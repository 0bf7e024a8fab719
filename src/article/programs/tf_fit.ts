/**
 * The article's program 5(a), "Keras compile + fit": a Dense layer trained by Keras' own loop
 * with SGD on the mean absolute error, in batches of 32.
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

/** Fits y = w·x + b with compile/fit; Keras prints its progress when `verbose`. */
export async function tfFit({ data, epochs, learningRate, seed, verbose }: ProgramInput): Promise<ProgramResult> {
  const x = tf.constant(data.x);
  const y = tf.constant(data.y);

  tf.random.setSeed(seed);
  const tfModelFit = new LinearRegressionKeras();
  tfModelFit.compile({
    optimizer: new tf.keras.optimizers.SGD({ learningRate }),
    loss: tf.keras.losses.meanAbsoluteError,
  });
  const history = await tfModelFit.fit(x, y, { epochs, batchSize: 32, verbose: verbose ? 1 : 0 });

  const [kernel, bias] = tfModelFit.trainableVariables;
  return { w: kernel.numpy()[0][0], b: bias.numpy()[0], losses: history.history.loss };
}
