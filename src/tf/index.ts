/**
 * The TensorFlow 2 / Keras dialect: TensorFlow's names and conventions over duograd's core.
 * @example
 * import { tf } from "duograd";
 * const w = new tf.Variable(tf.random.uniform([1], -0.1, 0.1));
 * const tape = new tf.GradientTape();
 * const loss = tape.record(() => tf.reduceMean(tf.square(x.mul(w).sub(y))));
 * const [dw] = tape.gradient(loss, [w]);
 */
import "../ops/methods.js";
import "./tensor_methods.js";

export { Tensor } from "../tensor/tensor.js";
export type { DType } from "../tensor/dtype.js";
export { Variable, isVariable, type VariableOptions } from "./variable.js";
export {
  GradientTape, type GradientTapeOptions, type TapeGradientOptions, type Nested, type GradientOf,
} from "../autograd/tape.js";
export * from "./ops.js";
export * as random from "./random.js";
export * as nn from "./nn.js";
export * as math from "./ops.js";
export * as keras from "./keras/index.js";
/** `tf.losses`: Keras' losses (`tf.losses.mse`, `tf.losses.MeanSquaredError`, …). */
export * as losses from "./keras/losses.js";

/** TensorFlow's dtype names, for `tf.constant(x, tf.float32)` and `tf.cast(x, tf.int32)`. */
export const float32 = "float32" as const;
export const float64 = "float64" as const;
export const int32 = "int32" as const;
export const bool = "bool" as const;
