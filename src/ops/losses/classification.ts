import type { Tensor } from "../../tensor/tensor.js";
import { isFloating } from "../../tensor/dtype.js";
import { fmtShape, shapesEqual } from "../../tensor/shape.js";
import { DTypeError, IndexError, ShapeError, ValueError } from "../../tensor/errors.js";
import { add, div, mul, ne, where } from "../binary.js";
import { cast, neg } from "../unary.js";
import { sum } from "../reduce.js";
import { reshape, squeeze, unsqueeze } from "../shape.js";
import { gather } from "../indexing.js";
import { logSoftmax } from "../softmax.js";
import { checkReduction, requireFloating, weightAs, type Reduction, type ReductionOptions } from "./common.js";

// Classification losses over a class dim: dim 1 of [N, C, d1, ...], or dim 0 of an unbatched [C].
// Composed of differentiable ops (log_softmax, gather, where, sum), so every order of gradient works.

/** Options of nllLoss. */
export interface NllLossOptions extends ReductionOptions {
  /** A rescaling weight per class, shape [C]. */
  weight?: Tensor | null;
  /** A target value that contributes nothing, neither to the loss nor to the mean's divisor (default -100). */
  ignoreIndex?: number;
}

/** Options of crossEntropy. */
export interface CrossEntropyOptions extends NllLossOptions {
  /** Mixes the target with the uniform distribution: (1 - s)·target + s/C (default 0). */
  labelSmoothing?: number;
}

interface ClassLayout {
  classDim: number;
  nClasses: number;
  weight: Tensor | null;
}

function classLayout(op: string, input: Tensor, weight: Tensor | null | undefined): ClassLayout {
  requireFloating(op, "input", input);
  if (input.ndim === 0) throw new ShapeError(`${op}: expected an input of 1 or more dimensions ([C] or [N, C, ...]), got shape []`);
  const classDim = input.ndim === 1 ? 0 : 1;
  const nClasses = input.shape[classDim];
  if (weight && (weight.ndim !== 1 || weight.shape[0] !== nClasses)) {
    throw new ShapeError(`${op}: weight tensor should be defined either for all ${nClasses} classes or no classes but got weight tensor of shape ${fmtShape(weight.shape)} (input ${fmtShape(input.shape)})`);
  }
  return { classDim, nClasses, weight: weight ? weightAs(op, "weight", weight, input.dtype) : null };
}

/** Checks class-index targets: int32, shape [N, d1, ...] (or [] for an unbatched [C]), in range. */
function checkClassTarget(op: string, input: Tensor, target: Tensor, nClasses: number, ignoreIndex: number): void {
  const expected = input.ndim === 1 ? [] : [input.shape[0], ...input.shape.slice(2)];
  if (target.dtype !== "int32") {
    const why = isFloating(target.dtype) && op === "cross_entropy" ? ` (class probabilities need the input's shape ${fmtShape(input.shape)})` : "";
    throw new DTypeError(`${op}: expected class indices (int32) of shape ${fmtShape(expected)} as target, got ${target.dtype} of shape ${fmtShape(target.shape)}${why}`);
  }
  if (!shapesEqual(target.shape, expected)) {
    throw new ShapeError(`${op}: expected target of shape ${fmtShape(expected)} for input of shape ${fmtShape(input.shape)}, got ${fmtShape(target.shape)}`);
  }
  // Reading the indices is validation, not computation: out-of-range targets must fail before
  // anything is computed, with PyTorch's message.
  const d = target.storage;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (v !== ignoreIndex && (v < 0 || v >= nClasses)) {
      throw new IndexError(`${op}: Target ${v} is out of bounds (expected a class index in [0, ${nClasses - 1}] or ignoreIndex ${ignoreIndex}; input ${fmtShape(input.shape)})`);
    }
  }
}

function checkIgnoreIndex(op: string, ignoreIndex: number): void {
  if (!Number.isInteger(ignoreIndex)) throw new ValueError(`${op}: ignoreIndex must be an integer, got ${ignoreIndex}`);
}

/** Weight broadcast along the class dim: [1, C, 1, ...] (or [C] for an unbatched input). */
function classWeight(w: Tensor, ndim: number, classDim: number): Tensor {
  if (ndim <= 1) return w;
  const shape = new Array<number>(ndim).fill(1);
  shape[classDim] = w.shape[0];
  return reshape(w, shape);
}

/**
 * The negative log likelihood of validated class indices, plus the per-target weights (0 where
 * ignored) that the mean divides by.
 */
function nllParts(logp: Tensor, target: Tensor, layout: ClassLayout, ignoreIndex: number): { loss: Tensor; weights: Tensor } {
  const valid = ne(target, ignoreIndex);
  // Ignored targets may lie outside [0, C): gather at class 0 there and mask the result.
  const safe = where(valid, target, 0);
  const picked = squeeze(gather(logp, layout.classDim, unsqueeze(safe, layout.classDim)), layout.classDim);
  const weights = layout.weight
    ? where(valid, reshape(gather(layout.weight, 0, reshape(safe, [-1])), target.shape), 0)
    : cast(valid, logp.dtype);
  // where, not a product with the mask: it keeps an ignored -inf log-probability out of the result.
  const loss = where(valid, neg(layout.weight ? mul(picked, weights) : picked), 0);
  return { loss, weights };
}

function reduceNll(loss: Tensor, weights: Tensor, reduction: Reduction): Tensor {
  if (reduction === "none") return loss;
  if (reduction === "sum") return sum(loss);
  // PyTorch's weighted mean: divide by the total weight of the non-ignored targets (0/0 = NaN
  // when all are ignored, as in PyTorch).
  return div(sum(loss), sum(weights));
}

/**
 * The negative log likelihood loss (torch.nn.functional.nll_loss): `-weight[t]·logProbs[n, t]`
 * for class indices `t` (int32, shape [N] or [N, d1, ...], or [] for an unbatched [C] input).
 * "mean" divides by the summed weights of the non-ignored targets.
 * @example nllLoss(logSoftmax(logits, 1), labels, { ignoreIndex: 0 });
 */
export function nllLoss(logProbs: Tensor, target: Tensor, opts: NllLossOptions = {}): Tensor {
  const op = "nll_loss";
  const reduction = checkReduction(op, opts.reduction);
  const ignoreIndex = opts.ignoreIndex ?? -100;
  checkIgnoreIndex(op, ignoreIndex);
  const layout = classLayout(op, logProbs, opts.weight);
  checkClassTarget(op, logProbs, target, layout.nClasses, ignoreIndex);
  const { loss, weights } = nllParts(logProbs, target, layout, ignoreIndex);
  return reduceNll(loss, weights, reduction);
}

/**
 * Cross entropy between logits and targets (torch.nn.functional.cross_entropy), computed stably
 * through log_softmax (logits minus their logsumexp). The input is [N, C], [N, C, d1, ...] or an
 * unbatched [C]. The target is either class indices (int32, the input's shape without the class
 * dim) or class probabilities (float, the input's shape). Weights, ignoreIndex and label
 * smoothing follow PyTorch 1.13 exactly, including its means: over the weights of the
 * non-ignored targets for class indices, over N·d1·… for probabilities.
 * @example crossEntropy(logits, labels);
 * @example crossEntropy(logits, labels, { weight: tensor([1, 2, 1]), labelSmoothing: 0.1 });
 */
export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const op = "cross_entropy";
  const reduction = checkReduction(op, opts.reduction);
  const ignoreIndex = opts.ignoreIndex ?? -100;
  checkIgnoreIndex(op, ignoreIndex);
  const ls = opts.labelSmoothing ?? 0;
  if (!(ls >= 0 && ls <= 1)) throw new ValueError(`${op}: labelSmoothing must be between 0.0 and 1.0, got ${ls}`);
  const layout = classLayout(op, input, opts.weight);
  const { classDim, nClasses } = layout;

  if (shapesEqual(input.shape, target.shape)) {
    if (!isFloating(target.dtype)) {
      throw new DTypeError(`${op}: a target of the input's shape ${fmtShape(input.shape)} holds class probabilities and must be floating point, got ${target.dtype} (class indices have shape ${fmtShape(input.ndim === 1 ? [] : [input.shape[0], ...input.shape.slice(2)])})`);
    }
    if (ignoreIndex >= 0) throw new ValueError(`${op}: ignoreIndex (${ignoreIndex}) is not supported for class-probability targets`);
    return probabilityTarget(input, target, layout, reduction, ls);
  }

  checkClassTarget(op, input, target, nClasses, ignoreIndex);
  const logp = logSoftmax(input, classDim);
  const { loss, weights } = nllParts(logp, target, layout, ignoreIndex);
  const nll = reduceNll(loss, weights, reduction);
  if (ls === 0) return nll;

  // Label smoothing: (1 - s)·nll plus s/C times the (weighted) sum of -log p over all classes,
  // reduced like the nll part (a weighted mean divides by the same target weights).
  const lw = layout.weight ? mul(logp, classWeight(layout.weight, logp.ndim, classDim)) : logp;
  const valid = ne(target, ignoreIndex);
  const smooth = where(valid, neg(sum(lw, classDim)), 0);
  return add(mul(nll, 1 - ls), mul(reduceNll(smooth, weights, reduction), ls / nClasses));
}

function probabilityTarget(input: Tensor, target: Tensor, layout: ClassLayout, reduction: Reduction, ls: number): Tensor {
  const { classDim, nClasses } = layout;
  const logp = logSoftmax(input, classDim);
  const t = ls > 0 ? add(mul(target, 1 - ls), ls / nClasses) : target;
  let prod = mul(logp, t);
  if (layout.weight) prod = mul(prod, classWeight(layout.weight, logp.ndim, classDim));
  if (reduction === "none") return neg(sum(prod, classDim));
  const total = neg(sum(prod));
  // The mean is over the positions (N·d1·…), not over weights; an empty input gives 0/0 = NaN.
  return reduction === "sum" ? total : div(total, nClasses === 0 ? 0 : input.storage.length / nClasses);
}
