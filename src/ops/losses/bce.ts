import type { Tensor } from "../../tensor/tensor.js";
import { fmtShape, shapesEqual } from "../../tensor/shape.js";
import { ShapeError, ValueError } from "../../tensor/errors.js";
import { add, ge, gt, logicalAnd, lt, mul, rsub, sub, where } from "../binary.js";
import { exp, log, log1p, neg } from "../unary.js";
import { checkBroadcastsTo, checkReduction, reduceLoss, requireFloating, weightAs, type ReductionOptions } from "./common.js";

/** Options of binaryCrossEntropy. */
export interface BceOptions extends ReductionOptions {
  /** Rescales each element's loss; broadcasts to the input's shape. */
  weight?: Tensor | null;
}

/** Options of binaryCrossEntropyWithLogits. */
export interface BceWithLogitsOptions extends BceOptions {
  /** The weight of positive examples, broadcast over the input (often one per class, shape [C]). */
  posWeight?: Tensor | null;
}

function checkSameSize(op: string, input: Tensor, target: Tensor): void {
  if (!shapesEqual(input.shape, target.shape)) {
    throw new ShapeError(`${op}: Using a target size (${fmtShape(target.shape)}) that is different to the input size (${fmtShape(input.shape)}) is not supported; please ensure they have the same size`);
  }
}

function checkUnitInterval(op: string, what: string, t: Tensor): void {
  const d = t.storage;
  for (let i = 0; i < d.length; i++) {
    // Written so that NaN fails too, as PyTorch's check does.
    if (!(d[i] >= 0 && d[i] <= 1)) {
      throw new ValueError(`${op}: all elements of ${what} should be between 0 and 1, got ${d[i]} (${what} shape ${fmtShape(t.shape)})`);
    }
  }
}

/**
 * max(f(x), -100) for a log-like f, finite in value and gradient everywhere: where f would be
 * -inf (x at 0 for log, at 1 for log1p(-x)) the argument is swapped for a harmless one first,
 * so no 0/0 appears in the gradient of the masked-out branch.
 */
function clampedLog(x: Tensor, inDomain: Tensor, f: (safe: Tensor) => Tensor, harmless: number): Tensor {
  const l = f(where(inDomain, x, harmless));
  return where(logicalAnd(inDomain, gt(l, -100)), l, -100);
}

/**
 * Binary cross entropy between probabilities and targets (torch.nn.functional.binary_cross_entropy):
 * `-weight·(t·log(p) + (1 - t)·log(1 - p))`, each log clamped to ≥ -100 as PyTorch does, so
 * p = 0 or 1 gives a finite loss. Input and target must have the same shape, with values in [0, 1].
 * @example binaryCrossEntropy(sigmoid(logits), labels);
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, opts: BceOptions = {}): Tensor {
  const op = "binary_cross_entropy";
  const reduction = checkReduction(op, opts.reduction);
  requireFloating(op, "input", input);
  checkSameSize(op, input, target);
  if (opts.weight) checkBroadcastsTo(op, "weight", opts.weight, input.shape);
  checkUnitInterval(op, "input", input);
  checkUnitInterval(op, "target", target);
  const weight = opts.weight ? weightAs(op, "weight", opts.weight, input.dtype) : null;
  const logP = clampedLog(input, gt(input, 0), log, 1);
  const log1mP = clampedLog(input, lt(input, 1), (s) => log1p(neg(s)), 0);
  // (t - 1)·log(1 - p) - t·log(p), PyTorch's arrangement.
  let loss = sub(mul(sub(target, 1), log1mP), mul(target, logP));
  if (weight) loss = mul(loss, weight);
  return reduceLoss(loss, reduction);
}

/**
 * log(1 + exp(z)) = max(z, 0) + log1p(exp(-|z|)), stable for any z. Both pieces take the z ≥ 0
 * side at z = 0, so the gradient there is sigmoid(0) = 1/2 and the second derivative 1/4 (an abs
 * or a max would give a kink's gradient instead).
 */
function softplusStable(z: Tensor): Tensor {
  const nonneg = ge(z, 0);
  return add(where(nonneg, z, 0), log1p(exp(where(nonneg, neg(z), z))));
}

/**
 * Binary cross entropy on logits (torch.nn.functional.binary_cross_entropy_with_logits), the
 * stable form of `binaryCrossEntropy(sigmoid(x), t)`: `(1 - t)·x + (1 + (posWeight - 1)·t)·log(1 + exp(-x))`,
 * i.e. without posWeight `max(x, 0) - x·t + log(1 + exp(-|x|))`; finite for any logits.
 * @example binaryCrossEntropyWithLogits(logits, labels, { posWeight: tensor([3]) });
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, opts: BceWithLogitsOptions = {}): Tensor {
  const op = "binary_cross_entropy_with_logits";
  const reduction = checkReduction(op, opts.reduction);
  requireFloating(op, "input", input);
  checkSameSize(op, input, target);
  if (opts.weight) checkBroadcastsTo(op, "weight", opts.weight, input.shape);
  if (opts.posWeight) checkBroadcastsTo(op, "posWeight", opts.posWeight, input.shape);
  const weight = opts.weight ? weightAs(op, "weight", opts.weight, input.dtype) : null;
  const posWeight = opts.posWeight ? weightAs(op, "posWeight", opts.posWeight, input.dtype) : null;
  const sp = softplusStable(neg(input));
  const logWeight = posWeight ? add(mul(sub(posWeight, 1), target), 1) : null;
  let loss = add(mul(rsub(target, 1), input), logWeight ? mul(logWeight, sp) : sp);
  if (weight) loss = mul(loss, weight);
  return reduceLoss(loss, reduction);
}
