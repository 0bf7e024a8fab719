// torch.nn.functional (`F`) under PyTorch's names, camelCased. The math is the core's; this file
// only adapts calling conventions: arguments PyTorch passes by keyword go in a trailing options
// object (`F.gelu(x, { approximate: "tanh" })`, `F.crossEntropy(logits, y, { labelSmoothing: 0.1 })`).
import type { Tensor } from "../../tensor/tensor.js";
import { fmtShape } from "../../tensor/shape.js";
import { ShapeError, ValueError } from "../../tensor/errors.js";
import * as U from "../../ops/unary.js";
import { add, clamp, div } from "../../ops/binary.js";
import { amax, amin, norm } from "../../ops/reduce.js";
import { transpose } from "../../ops/shape.js";
import { matmul, matmulT } from "../../ops/linalg.js";
import { linearBias } from "../../ops/linear.js";
import { dropout as coreDropout } from "../../ops/dropout.js";
import { oneHotMask } from "../../ops/embedding.js";

export { relu, sigmoid, tanh, silu, elu, leakyRelu, gelu } from "../../ops/unary.js";
export { softmax, logSoftmax } from "../../ops/softmax.js";
export { conv1d, conv2d, unfold, fold, type ConvOptions } from "../../ops/conv.js";
export { maxPool1d, maxPool2d, avgPool1d, avgPool2d, adaptiveAvgPool1d, adaptiveAvgPool2d } from "../../ops/pool.js";
export { layerNorm, batchNorm, type BatchNormOptions } from "../../ops/normalization.js";
export { embedding, type EmbeddingOptions } from "../../ops/embedding.js";
export {
  mseLoss, l1Loss, huberLoss, smoothL1Loss, crossEntropy, nllLoss, binaryCrossEntropy, binaryCrossEntropyWithLogits,
  type Reduction, type ReductionOptions, type CrossEntropyOptions, type NllLossOptions, type BceOptions, type BceWithLogitsOptions,
} from "../../ops/losses/index.js";

/**
 * softplus(x) = log(1 + exp(βx)) / β, and x itself where βx > threshold (PyTorch's defaults β = 1,
 * threshold = 20). Accepts PyTorch's positional form too: `F.softplus(x, 2, 10)`.
 */
export function softplus(x: Tensor, beta?: number | { beta?: number; threshold?: number }, threshold?: number): Tensor {
  const opts = typeof beta === "object" ? beta : { beta, threshold };
  return U.softplus(x, { beta: opts.beta ?? 1, threshold: opts.threshold ?? 20 });
}

/** log(sigmoid(x)), computed stably as −softplus(−x). */
export function logsigmoid(x: Tensor): Tensor {
  return U.neg(U.softplus(U.neg(x), { beta: 1, threshold: 20 }));
}

/** Clamps to [minVal, maxVal] (defaults −1, 1). */
export function hardtanh(x: Tensor, minVal = -1, maxVal = 1): Tensor {
  if (maxVal < minVal) throw new ValueError(`hardtanh: max_val (${maxVal}) cannot be less than min_val (${minVal})`);
  return clamp(x, minVal, maxVal);
}

/** min(max(x, 0), 6). */
export function relu6(x: Tensor): Tensor {
  return clamp(x, 0, 6);
}

/** Options of F.dropout. */
export interface DropoutOptions {
  /** Probability of zeroing an element (0.5). */
  p?: number;
  /** Apply dropout (true); pass `this.training` inside a module. */
  training?: boolean;
}

/**
 * Zeroes elements with probability p and scales the rest by 1/(1−p) when training.
 * @example F.dropout(h, { p: 0.2, training: this.training })   // or F.dropout(h, 0.2, this.training)
 */
export function dropout(x: Tensor, p: number | DropoutOptions = 0.5, training = true): Tensor {
  if (typeof p === "object") return coreDropout(x, p.p ?? 0.5, p.training ?? true);
  return coreDropout(x, p, training);
}

/**
 * y = x·Wᵀ + b, as F.linear: x [*, in], weight [out, in], bias [out].
 * @example F.linear(x, w, b) // [200, 1] and [1, 1] -> [200, 1]
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  if (weight.ndim !== 2 && weight.ndim !== 1) {
    throw new ShapeError(`linear: weight must be 1-D or 2-D ([out_features, in_features]), got ${fmtShape(weight.shape)}`);
  }
  if (bias !== null && fusedLinear(x, weight, bias)) return linearBias(x, weight, bias);
  // x·Wᵀ reads W transposed in place (no copy of W forward or backward); shape errors keep the old path's message.
  const y =
    weight.ndim === 2 && x.ndim >= 2 && x.shape[x.ndim - 1] === weight.shape[1]
      ? matmulT(x, weight, false, true)
      : matmul(x, weight.ndim === 2 ? transpose(weight, 0, 1) : weight);
  return bias === null ? y : add(y, bias);
}

/** Whether x [B, in], weight [out, in] and bias [out] share a float dtype: one fused op then. */
function fusedLinear(x: Tensor, w: Tensor, b: Tensor): boolean {
  const dt = x.dtype;
  return (dt === "float32" || dt === "float64") && w.dtype === dt && b.dtype === dt &&
    x.ndim === 2 && w.ndim === 2 && b.ndim === 1 && x.shape[1] === w.shape[1] && b.shape[0] === w.shape[0];
}

/**
 * One-hot encoding of class indices (int32): shape [...t.shape, numClasses], int32 as PyTorch's
 * (int64 there). `numClasses` −1 (the default) means max(t) + 1.
 * @example F.oneHot(torch.tensor([0, 2], { dtype: torch.int32 }), 3) // [[1, 0, 0], [0, 0, 1]]
 */
export function oneHot(t: Tensor, numClasses = -1): Tensor {
  if (t.dtype !== "int32") throw new ValueError(`one_hot: one_hot is only applicable to index tensor (int32), got ${t.dtype}`);
  const lowest = t.numel() === 0 ? 0 : amin(t).item();
  if (lowest < 0) throw new ValueError(`one_hot: class values must be non-negative (got ${lowest})`);
  let n = numClasses;
  if (n === -1) n = t.numel() === 0 ? 0 : amax(t).item() + 1;
  else if (t.numel() > 0 && amax(t).item() >= n) throw new ValueError(`one_hot: class values must be smaller than num_classes (${n})`);
  return U.cast(oneHotMask(t, n), "int32");
}

/**
 * x / max(‖x‖ₚ, eps) along `dim` (defaults p = 2, dim = 1, eps = 1e-12).
 * @example F.normalize(embeddings, { dim: -1 })
 */
export function normalize(x: Tensor, opts: { p?: number; dim?: number; eps?: number } = {}): Tensor {
  const n = norm(x, opts.p ?? 2, opts.dim ?? 1, true);
  return div(x, clamp(n, opts.eps ?? 1e-12, null));
}
