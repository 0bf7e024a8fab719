import type { Tensor } from "../../tensor/tensor.js";
import { ValueError } from "../../tensor/errors.js";
import { lt, mul, sub, where } from "../binary.js";
import { abs, cast, square } from "../unary.js";
import { isFloating, promoteTypes } from "../../tensor/dtype.js";
import { shapesEqual } from "../../tensor/shape.js";
import { mseLossFused } from "./mse.js";
import { checkReduction, checkRegression, reduceLoss, type ReductionOptions } from "./common.js";

// The regression losses compare input and target elementwise, broadcasting them as PyTorch does
// (with its warning when their sizes differ); "mean" averages over the broadcast shape.

/**
 * Mean squared error, `(input - target)²` reduced (torch.nn.functional.mse_loss).
 * @example mseLoss(pred, labels); // a 0-d tensor
 * @example mseLoss(pred, labels, { reduction: "sum" });
 */
export function mseLoss(input: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  const reduction = checkReduction("mse_loss", opts.reduction);
  checkRegression("mse_loss", input, target);
  if (reduction !== "none" && isFloating(input.dtype) && isFloating(target.dtype) && shapesEqual(input.shape, target.shape)) {
    // One op each way (float32 with float64 computes in float64, as sub would).
    const dt = promoteTypes(input.dtype, target.dtype);
    return mseLossFused(cast(input, dt), cast(target, dt), reduction);
  }
  return reduceLoss(square(sub(input, target)), reduction);
}

/**
 * Mean absolute error, `|input - target|` reduced (torch.nn.functional.l1_loss). Its gradient
 * at a zero difference is 0, as in PyTorch.
 * @example l1Loss(pred, labels, { reduction: "none" });
 */
export function l1Loss(input: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  const reduction = checkReduction("l1_loss", opts.reduction);
  checkRegression("l1_loss", input, target);
  return reduceLoss(abs(sub(input, target)), reduction);
}

/**
 * Huber loss (torch.nn.functional.huber_loss): with z = |input - target|, `0.5·z²` where
 * z < delta, else `delta·(z - 0.5·delta)`. `delta` (default 1) must be positive.
 * @example huberLoss(pred, labels, { delta: 0.5 });
 */
export function huberLoss(input: Tensor, target: Tensor, opts: ReductionOptions & { delta?: number } = {}): Tensor {
  const reduction = checkReduction("huber_loss", opts.reduction);
  const delta = opts.delta ?? 1;
  if (!(delta > 0)) throw new ValueError(`huber_loss: delta must be positive, got ${delta}`);
  checkRegression("huber_loss", input, target);
  const d = sub(input, target);
  const z = abs(d);
  // square(d), not square(z): the quadratic piece then has a gradient at d = 0 with no kink.
  return reduceLoss(where(lt(z, delta), mul(square(d), 0.5), mul(sub(z, 0.5 * delta), delta)), reduction);
}

/**
 * Smooth L1 loss (torch.nn.functional.smooth_l1_loss): with z = |input - target|, `0.5·z²/beta`
 * where z < beta, else `z - 0.5·beta`. `beta` (default 1) must be ≥ 0; 0 gives the L1 loss.
 * @example smoothL1Loss(pred, labels, { beta: 0.1 });
 */
export function smoothL1Loss(input: Tensor, target: Tensor, opts: ReductionOptions & { beta?: number } = {}): Tensor {
  const reduction = checkReduction("smooth_l1_loss", opts.reduction);
  const beta = opts.beta ?? 1;
  if (!(beta >= 0)) throw new ValueError(`smooth_l1_loss: beta must be non-negative, got ${beta}`);
  checkRegression("smooth_l1_loss", input, target);
  const d = sub(input, target);
  const z = abs(d);
  if (beta === 0) return reduceLoss(z, reduction);
  return reduceLoss(where(lt(z, beta), mul(square(d), 0.5 / beta), sub(z, 0.5 * beta)), reduction);
}
