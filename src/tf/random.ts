// tf.random: draws from the tf side's own seeded generator. TensorFlow's Philox streams are not
// reproduced: the same seed gives the same numbers in duograd, not TensorFlow's numbers.
import { Tensor } from "../tensor/tensor.js";
import { newBuffer } from "../tensor/storage.js";
import { numel } from "../tensor/shape.js";
import { TorchGenerator } from "../tensor/random/torch_generator.js";
import type { DType } from "../tensor/dtype.js";
import { ValueError } from "../tensor/errors.js";
import { normal_, tfGenerator, tfNormal, tfSetSeed, tfUniform } from "../tensor/random_ops.js";
import { abs, any, gt, indexSelect, where } from "../ops/api.js";
import { fromBuffer } from "../tensor/creation.js";
import { convertToTensor, type TensorInput } from "./convert.js";

/**
 * Seeds the generator of every tf.random function, Keras' initializers, Dropout and fit's shuffling
 * (TF's `tf.random.set_seed`).
 */
export function setSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0) throw new ValueError(`random.set_seed: the seed must be a non-negative integer, got ${seed}`);
  tfSetSeed(seed);
}

/**
 * Uniform values in [minval, maxval), float32 by default.
 * @example tf.random.uniform([1], -0.1, 0.1)
 */
export function uniform(shape: readonly number[], minval = 0, maxval = 1, dtype: DType = "float32"): Tensor {
  if (!(minval < maxval)) throw new ValueError(`random.uniform: need minval < maxval, got minval=${minval}, maxval=${maxval}`);
  return tfUniform(shape, minval, maxval, dtype);
}

/** Normal values with the given mean and standard deviation. */
export function normal(shape: readonly number[], mean = 0, stddev = 1, dtype: DType = "float32"): Tensor {
  return tfNormal(shape, mean, stddev, dtype);
}

/**
 * Normal values, those more than two standard deviations from the mean drawn again (TF's
 * `tf.random.truncated_normal`).
 */
export function truncatedNormal(shape: readonly number[], mean = 0, stddev = 1, dtype: DType = "float32", seed?: number | null): Tensor {
  // An op-level seed gives the op its own stream, so every call with it draws the same values.
  const gen = seed === undefined || seed === null ? tfGenerator : new TorchGenerator(seed);
  const draw = () => normal_(new Tensor(newBuffer(dtype, numel(shape)), shape.slice(), dtype), 0, 1, gen);
  let z = draw();
  for (;;) {
    const out = gt(abs(z), 2);
    if (!any(out).item()) break;
    z = where(out, draw(), z);
  }
  return z.mul(stddev).add(mean);
}

/** `x` with its first axis shuffled. */
export function shuffle(x: TensorInput): Tensor {
  const t = convertToTensor(x);
  if (t.ndim === 0) return t;
  const perm = tfGenerator.randperm(t.shape[0]);
  return indexSelect(t, 0, fromBuffer(perm, [perm.length], "int32"));
}

/** A random permutation of 0..n-1 from the tf generator (for fit's shuffling). */
export function permutation(n: number): Int32Array {
  return tfGenerator.randperm(n);
}
