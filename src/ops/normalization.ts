import { Tensor } from "../tensor/tensor.js";
import { fmtShape, shapesEqual } from "../tensor/shape.js";
import { ShapeError, ValueError } from "../tensor/errors.js";
import { noGrad } from "../autograd/grad_mode.js";
import { requireFloat } from "./util.js";
import { add, mul, sub } from "./binary.js";
import { mean } from "./reduce.js";
import { reshape } from "./shape.js";
import { cast, rsqrt, square } from "./unary.js";
import { inplace } from "./inplace.js";

/** (x - mean) / sqrt(var + eps) over `dims`, with the biased variance; returns the stats too. */
function normalize(x: Tensor, dims: number[], eps: number): { y: Tensor; mu: Tensor; var: Tensor } {
  const mu = mean(x, dims, true);
  const xc = sub(x, mu);
  const v = mean(square(xc), dims, true);
  return { y: mul(xc, rsqrt(add(v, eps))), mu, var: v };
}

/**
 * Layer normalization as PyTorch's F.layer_norm: normalises over the trailing dims given by
 * `normalizedShape` with the biased variance, then scales by `weight` and shifts by `bias`
 * (both of shape `normalizedShape`, optional).
 * @example layerNorm(x, [64], gamma, beta) // x [8, 10, 64]
 */
export function layerNorm(x: Tensor, normalizedShape: number | readonly number[], weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  const shape = typeof normalizedShape === "number" ? [normalizedShape] : normalizedShape.slice();
  if (shape.length === 0) throw new ValueError(`layer_norm: expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, but got normalized_shape = []`);
  const k = shape.length;
  if (x.ndim < k || !shapesEqual(x.shape.slice(x.ndim - k), shape)) {
    throw new ShapeError(`layer_norm: Given normalized_shape=${fmtShape(shape)}, expected input with shape [*, ${shape.join(", ")}], but got input of size${fmtShape(x.shape)}`);
  }
  for (const [name, t] of [["weight", weight], ["bias", bias]] as const) {
    if (t !== null && !shapesEqual(t.shape, shape)) {
      throw new ShapeError(`layer_norm: Expected ${name} to be of same shape as normalized_shape, but got ${name} of shape ${fmtShape(t.shape)} and normalized_shape = ${fmtShape(shape)}`);
    }
  }
  requireFloat("layer_norm", x);
  const dims = shape.map((_, i) => x.ndim - k + i);
  let y = normalize(x, dims, eps).y;
  if (weight !== null) y = mul(y, weight);
  if (bias !== null) y = add(y, bias);
  return y;
}

export interface BatchNormOptions {
  /** Normalise with the batch's statistics and update the running ones. Default false. */
  training?: boolean;
  /**
   * Weight of the batch statistics in the running update, `running = (1 - m) * running + m * batch`.
   * Default 0.1. (PyTorch's momentum=None, a cumulative average, is `1 / numBatchesTracked` here.)
   */
  momentum?: number;
  eps?: number;
  /** Per-channel scale and shift, when not given positionally. */
  weight?: Tensor | null;
  bias?: Tensor | null;
}

/**
 * Batch normalization as PyTorch's F.batch_norm over x [N, C, ...] per channel C.
 * In training (or without running statistics) it normalises with the batch mean and biased
 * variance, and updates `runningMean` / `runningVar` in place (not recorded) with the batch mean
 * and the unbiased batch variance; in eval it normalises with the running statistics.
 * `weight` and `bias` come positionally (PyTorch's order) or in the options.
 * @example batchNorm(x, runningMean, runningVar, gamma, beta, { training: true })
 * @example batchNorm(x, runningMean, runningVar, { weight: gamma, bias: beta, training: true })
 */
export function batchNorm(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weightOrOpts: Tensor | null | BatchNormOptions = null,
  biasArg: Tensor | null = null,
  optsArg: BatchNormOptions = {},
): Tensor {
  const positional = weightOrOpts === null || weightOrOpts instanceof Tensor;
  const opts: BatchNormOptions = positional ? optsArg : { ...weightOrOpts, ...optsArg };
  const weight = positional ? (weightOrOpts as Tensor | null) : (opts.weight ?? null);
  const bias = positional ? biasArg : (opts.bias ?? biasArg);
  const training = opts.training ?? false;
  const momentum = opts.momentum ?? 0.1;
  const eps = opts.eps ?? 1e-5;
  if (x.ndim < 2) throw new ShapeError(`batch_norm: expected an input of at least 2 dimensions [N, C, ...], got input of size ${fmtShape(x.shape)}`);
  requireFloat("batch_norm", x);
  const c = x.shape[1];
  for (const [name, t] of [["running_mean", runningMean], ["running_var", runningVar], ["weight", weight], ["bias", bias]] as const) {
    if (t !== null && t.numel() !== c) {
      throw new ShapeError(`batch_norm: ${name} should contain ${c} elements not ${t.numel()} (input of size ${fmtShape(x.shape)}, ${name} of size ${fmtShape(t.shape)})`);
    }
  }
  if ((runningMean === null) !== (runningVar === null)) {
    throw new ValueError(`batch_norm: running_mean and running_var must both be given or both be null`);
  }
  if (!Number.isFinite(momentum)) throw new ValueError(`batch_norm: momentum must be a number, got ${momentum}`);
  const useBatch = training || runningMean === null;
  const n = x.numel() / Math.max(c, 1);
  if (training && n <= 1) {
    throw new ValueError(`batch_norm: Expected more than 1 value per channel when training, got input size ${fmtShape(x.shape)}`);
  }
  // Per-channel tensors broadcast as [C, 1, ...] against x's dims after the batch.
  const bshape = [c, ...x.shape.slice(2).map(() => 1)];
  let y: Tensor;
  if (useBatch) {
    const dims = x.shape.map((_, i) => i).filter((i) => i !== 1);
    const s = normalize(x, dims, eps);
    y = s.y;
    if (training && runningMean !== null && runningVar !== null) {
      noGrad(() => {
        const m = reshape(s.mu, [c]);
        const unbiased = mul(reshape(s.var, [c]), n / (n - 1));
        inplace("batch_norm", runningMean, (r) => add(mul(r, 1 - momentum), mul(cast(m, r.dtype), momentum)));
        inplace("batch_norm", runningVar, (r) => add(mul(r, 1 - momentum), mul(cast(unbiased, r.dtype), momentum)));
      });
    }
  } else {
    const rm = reshape(runningMean!, bshape);
    const rv = reshape(runningVar!, bshape);
    y = mul(sub(x, rm), rsqrt(add(rv, eps)));
  }
  if (weight !== null) y = mul(y, reshape(weight, bshape));
  if (bias !== null) y = add(y, reshape(bias, bshape));
  return y;
}
