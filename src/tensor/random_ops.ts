// Random tensors. The torch side draws from one global generator that reproduces PyTorch 1.13's
// CPU generator; the tf side has its own seedable generator (TensorFlow's Philox streams are not
// reproduced, only determinism under a seed).
import { Tensor } from "./tensor.js";
import type { DType } from "./dtype.js";
import { isFloating } from "./dtype.js";
import { newBuffer } from "./storage.js";
import { fmtShape, numel } from "./shape.js";
import { DTypeError, ValueError } from "./errors.js";
import { TorchGenerator } from "./random/torch_generator.js";
import type { CreateOptions } from "./creation.js";
import { backend } from "../backend/registry.js";

/** The global generator of the torch side (`torch.manualSeed`). */
export const defaultGenerator = new TorchGenerator();
// The tf side's stream is keyed off its seed through a mixing step, so that tf.random.setSeed(s)
// and torch.manualSeed(s) do not hand both dialects the very same numbers.
function tfStreamSeed(seed: number): bigint {
  return (BigInt.asUintN(32, BigInt(Math.trunc(seed))) * 0x9e3779b97f4a7c15n + 0x7f4a7c15n) & 0xffffffffffffffffn;
}

/** The generator of the tf side (`tf.random.setSeed`); seeded, so runs are reproducible by default. */
export const tfGenerator = new TorchGenerator(tfStreamSeed(0));

export interface RandomOptions extends CreateOptions {
  generator?: TorchGenerator;
}

/** Seeds the torch-side generator, as torch.manual_seed. */
export function manualSeed(seed: number | bigint): void {
  defaultGenerator.manualSeed(seed);
}

/** Seeds the tf-side generator, as tf.random.set_seed. */
export function tfSetSeed(seed: number): void {
  tfGenerator.manualSeed(tfStreamSeed(seed));
}

function floatTensor(op: string, shape: readonly number[], opts: RandomOptions | undefined): Tensor {
  const dtype = opts?.dtype ?? "float32";
  if (!isFloating(dtype)) throw new DTypeError(`${op}: expected a floating point dtype, got ${dtype}`);
  return new Tensor(newBuffer(dtype, numel(shape)), shape.slice(), dtype);
}

function finish(t: Tensor, opts: CreateOptions | undefined): Tensor {
  if (opts?.requiresGrad) t.requiresGrad = true;
  return t;
}

function floatStorage(op: string, t: Tensor): Float32Array | Float64Array {
  if (!(t.storage instanceof Float32Array || t.storage instanceof Float64Array)) {
    throw new DTypeError(`${op}: not implemented for ${t.dtype} tensors (shape ${fmtShape(t.shape)})`);
  }
  return t.storage;
}

/** Fills `t` in place with U(from, to), as tensor.uniform_ (same numbers as PyTorch after the same seed). */
export function uniform_(t: Tensor, from = 0, to = 1, generator: TorchGenerator = defaultGenerator): Tensor {
  if (!(from <= to)) throw new ValueError(`uniform_: expects to return a [from, to) range, but found from=${from} > to=${to}`);
  generator.uniform_(floatStorage("uniform_", t), from, to);
  t._bumpVersion();
  return t;
}

/** Fills `t` in place with N(mean, std²), as tensor.normal_. */
export function normal_(t: Tensor, mean = 0, std = 1, generator: TorchGenerator = defaultGenerator): Tensor {
  if (!(std >= 0)) throw new ValueError(`normal_: expects std >= 0.0, but found std ${std}`);
  generator.normal_(floatStorage("normal_", t), mean, std);
  t._bumpVersion();
  return t;
}

/** Uniform on [0, 1) (torch.rand). */
export function rand(shape: readonly number[], opts?: RandomOptions): Tensor {
  return finish(uniform_(floatTensor("rand", shape, opts), 0, 1, opts?.generator), opts);
}

/** Standard normal (torch.randn). */
export function randn(shape: readonly number[], opts?: RandomOptions): Tensor {
  return finish(normal_(floatTensor("randn", shape, opts), 0, 1, opts?.generator), opts);
}

/** Integers in [low, high) (torch.randint), int32 unless a dtype is given. */
export function randint(low: number, high: number, shape: readonly number[], opts?: RandomOptions): Tensor {
  if (!(low < high)) throw new ValueError(`randint: expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
  const dtype: DType = opts?.dtype ?? "int32";
  const vals = (opts?.generator ?? defaultGenerator).randint(numel(shape), low, high);
  const t = new Tensor(newBuffer(dtype, vals.length), shape.slice(), dtype);
  t.storage.set(vals);
  return t;
}

/** A random permutation of 0..n-1 (torch.randperm), int32. */
export function randperm(n: number, opts?: RandomOptions): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new ValueError(`randperm: n must be a non-negative integer, got ${n}`);
  const p = (opts?.generator ?? defaultGenerator).randperm(n);
  return new Tensor(p, [n], "int32");
}

/** tf.random.uniform: U(minval, maxval) from the tf generator. */
export function tfUniform(shape: readonly number[], minval = 0, maxval = 1, dtype: DType = "float32"): Tensor {
  return uniform_(floatTensor("random.uniform", shape, { dtype }), minval, maxval, tfGenerator);
}

/** tf.random.normal: N(mean, stddev²) from the tf generator. */
export function tfNormal(shape: readonly number[], mean = 0, stddev = 1, dtype: DType = "float32"): Tensor {
  return normal_(floatTensor("random.normal", shape, { dtype }), mean, stddev, tfGenerator);
}

/**
 * A float mask of 1s with probability `keepProb` and 0s otherwise (for dropout). Drawn as
 * `rand < keepProb`; PyTorch's CPU bernoulli goes through MKL's own stream, so masks are
 * reproducible under a seed but not equal to PyTorch's.
 */
export function bernoulliMask(shape: readonly number[], keepProb: number, dtype: DType = "float32", generator: TorchGenerator = defaultGenerator): Tensor {
  if (!(keepProb >= 0 && keepProb <= 1)) throw new ValueError(`bernoulliMask: probability must be in [0, 1], got ${keepProb}`);
  const n = numel(shape);
  const u: Float32Array | Float64Array = dtype === "float64" ? generator.rand(n, "float64") : generator.rand(n);
  const out = new Tensor(newBuffer(dtype, u.length), shape.slice(), dtype);
  backend().binary("lt", u, [u.length], new Float64Array([keepProb]), [], out.storage, [u.length]);
  return out;
}
