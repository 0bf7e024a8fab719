// tf.nn: activations and the fused cross-entropies under TensorFlow's names and conventions
// (keyword arguments `labels` and `logits` become an options object).
import type { Tensor } from "../tensor/tensor.js";
import { normDim } from "../tensor/shape.js";
import * as A from "../ops/api.js";
import { tfGenerator } from "../tensor/random_ops.js";
import { bernoulliMask } from "../tensor/random_ops.js";
import { ValueError } from "../tensor/errors.js";
import { convertToTensor, type TensorInput } from "./convert.js";

const T = (x: TensorInput): Tensor => convertToTensor(x);

export const relu = (features: TensorInput): Tensor => A.relu(T(features));
export const relu6 = (features: TensorInput): Tensor => A.clamp(T(features), 0, 6);
export const sigmoid = (x: TensorInput): Tensor => A.sigmoid(T(x));
export const tanh = (x: TensorInput): Tensor => A.tanh(T(x));
export const elu = (features: TensorInput): Tensor => A.elu(T(features));
export const softplus = (features: TensorInput): Tensor => A.softplus(T(features));
/** tf.nn.leaky_relu: slope 0.2 below zero by default. */
export const leakyRelu = (features: TensorInput, alpha = 0.2): Tensor => A.leakyRelu(T(features), alpha);
export const silu = (features: TensorInput): Tensor => A.silu(T(features));
export const gelu = (features: TensorInput, approximate = false): Tensor => A.gelu(T(features), { approximate: approximate ? "tanh" : "none" });
/** Softmax along `axis` (default the last). */
export const softmax = (logits: TensorInput, axis = -1): Tensor => A.softmax(T(logits), axis);
export const logSoftmax = (logits: TensorInput, axis = -1): Tensor => A.logSoftmax(T(logits), axis);
/** sum(x²) / 2. */
export const l2Loss = (t: TensorInput): Tensor => A.div(A.sum(A.square(T(t))), 2);

/** Mean and (population) variance over `axes`. */
export function moments(x: TensorInput, axes: readonly number[], keepdims = false): { mean: Tensor; variance: Tensor } {
  const t = T(x);
  const mean = A.mean(t, axes, true);
  const variance = A.mean(A.square(A.sub(t, mean)), axes, keepdims);
  return { mean: keepdims ? mean : A.squeeze(mean, axes.map((a) => normDim("moments", a, t.ndim))), variance };
}

/**
 * Drops entries with probability `rate` and scales the rest by 1/(1 − rate) (always: tf.nn.dropout
 * has no training flag). Masks come from the tf generator.
 */
export function dropout(x: TensorInput, rate: number): Tensor {
  const t = T(x);
  if (!(rate >= 0 && rate < 1)) throw new ValueError(`nn.dropout: rate must be a scalar tensor or a float in the range [0, 1), got ${rate}`);
  if (rate === 0) return t;
  return A.dropoutWithMask(t, bernoulliMask(t.shape, 1 - rate, t.dtype, tfGenerator), rate);
}

/** max(x, 0) − x·z + log(1 + exp(−|x|)), element-wise. */
export function sigmoidCrossEntropyWithLogits(args: { labels: TensorInput; logits: TensorInput }): Tensor {
  const x = T(args.logits);
  const z = convertToTensor(args.labels, x.dtype);
  return A.add(A.sub(A.relu(x), A.mul(x, z)), A.log1p(A.exp(A.neg(A.abs(x)))));
}

/** −Σ labels · log_softmax(logits) along `axis` (default the last). */
export function softmaxCrossEntropyWithLogits(args: { labels: TensorInput; logits: TensorInput; axis?: number }): Tensor {
  const x = T(args.logits);
  const z = convertToTensor(args.labels, x.dtype);
  const axis = args.axis ?? -1;
  return A.neg(A.sum(A.mul(z, A.logSoftmax(x, axis)), axis));
}

/** −log_softmax(logits)[label] for integer labels of shape logits.shape[:-1]. */
export function sparseSoftmaxCrossEntropyWithLogits(args: { labels: TensorInput; logits: TensorInput }): Tensor {
  const x = T(args.logits);
  const idx = convertToTensor(args.labels, "int32");
  return A.neg(A.squeeze(A.gather(A.logSoftmax(x, -1), -1, A.unsqueeze(idx, -1)), -1));
}
