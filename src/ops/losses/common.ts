import type { Tensor } from "../../tensor/tensor.js";
import { isFloating, type DType } from "../../tensor/dtype.js";
import { broadcastShapes, fmtShape, shapesEqual } from "../../tensor/shape.js";
import { DTypeError, ShapeError, ValueError } from "../../tensor/errors.js";
import { mean, sum } from "../reduce.js";
import { cast } from "../unary.js";
import { warn } from "../warn.js";

/** How a loss combines its elements: keep them, average them, or add them up. */
export type Reduction = "none" | "mean" | "sum";

/** The options every loss takes. */
export interface ReductionOptions {
  /** "mean" (default), "sum", or "none" for the elementwise losses. */
  reduction?: Reduction;
}

/** Validates the reduction option (default "mean"). */
export function checkReduction(op: string, r: Reduction | undefined): Reduction {
  const red = r ?? "mean";
  if (red !== "none" && red !== "mean" && red !== "sum") {
    throw new ValueError(`${op}: ${JSON.stringify(red)} is not a valid value for reduction (expected "none", "mean" or "sum")`);
  }
  return red;
}

/** Applies `reduction` to an elementwise loss. */
export function reduceLoss(loss: Tensor, reduction: Reduction): Tensor {
  if (reduction === "none") return loss;
  return reduction === "sum" ? sum(loss) : mean(loss);
}

/** Raises unless `t` is floating point, naming the op and which argument it is. */
export function requireFloating(op: string, what: string, t: Tensor): void {
  if (!isFloating(t.dtype)) {
    throw new DTypeError(`${op}: expected a floating point ${what}, got ${t.dtype} (shape ${fmtShape(t.shape)})`);
  }
}

/**
 * A weight tensor converted to the loss's dtype (PyTorch demands equal dtypes; converting is
 * kinder and loses nothing the input has).
 */
export function weightAs(op: string, what: string, w: Tensor, dtype: DType): Tensor {
  requireFloating(op, what, w);
  return cast(w, dtype);
}

/** Raises unless `w` broadcasts to `shape` without changing it (elementwise weights). */
export function checkBroadcastsTo(op: string, what: string, w: Tensor, shape: readonly number[]): void {
  let ok = w.ndim <= shape.length;
  if (ok) {
    try {
      ok = shapesEqual(broadcastShapes(op, w.shape, shape), shape);
    } catch {
      ok = false;
    }
  }
  if (!ok) {
    throw new ShapeError(`${op}: ${what} of shape ${fmtShape(w.shape)} cannot be broadcast to the input shape ${fmtShape(shape)}`);
  }
}

/**
 * The checks of the elementwise regression losses (PyTorch's mse_loss, l1_loss, …): the shapes
 * must broadcast, the computation must be floating point, and, as in PyTorch, a target whose
 * size differs from the input's gets a warning, because broadcasting then silently computes
 * something else (the article's `[200, 1]` predictions against `[200]` labels give a
 * `[200, 200]` difference).
 */
export function checkRegression(op: string, input: Tensor, target: Tensor): void {
  broadcastShapes(op, input.shape, target.shape);
  if (!isFloating(input.dtype) && !isFloating(target.dtype)) {
    throw new DTypeError(`${op}: expected floating point input or target, got ${input.dtype} input (shape ${fmtShape(input.shape)}) and ${target.dtype} target (shape ${fmtShape(target.shape)})`);
  }
  if (!shapesEqual(input.shape, target.shape)) {
    warn(
      `${op}: Using a target size (${fmtShape(target.shape)}) that is different to the input size (${fmtShape(input.shape)}). ` +
        "This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.",
    );
  }
}
