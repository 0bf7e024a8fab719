// The core's ops under PyTorch's function names (`torch.mean`, `torch.square`, `torch.matmul`, …),
// with PyTorch's calling conventions where they differ from the core's: `torch.max` also takes a
// second tensor, `torch.pow` a number on either side, `torch.add`/`torch.sub` an `alpha`.
import { Tensor } from "../tensor/tensor.js";
import { isFloating } from "../tensor/dtype.js";
import { ValueError } from "../tensor/errors.js";
import * as B from "../ops/binary.js";
import * as R from "../ops/reduce.js";
import { abs, powScalar, rpowScalar } from "../ops/unary.js";
import type { TensorLike } from "../ops/util.js";

export {
  neg, neg as negative, exp, log, sqrt, rsqrt, square, abs, sign, sin, cos, tan, tanh, sigmoid, relu, log1p, expm1, erf,
  reciprocal, floor, ceil, round, trunc, logicalNot, isnan, isinf, isfinite, clone,
} from "../ops/unary.js";
export { mul, mul as multiply, div, div as divide, maximum, minimum, atan2, fmod, remainder, eq, ne, lt, le, gt, ge, logicalAnd, logicalOr, logicalXor, where, clamp, clamp as clip } from "../ops/binary.js";
export { sum, prod, mean, amax, amin, argmax, argmin, any, all, cumsum, variance as var, std, logsumexp, norm, type ValuesIndices } from "../ops/reduce.js";
export { reshape, permute, transpose, squeeze, unsqueeze, flatten, narrow, select, cat, cat as concat, stack, split, chunk } from "../ops/shape.js";
export { gather, scatterAdd } from "../ops/indexing.js";
export { indexSelect, maskedFill } from "../ops/embedding.js";
export { matmul, matmul as mm } from "../ops/linalg.js";
export { softmax, logSoftmax } from "../ops/softmax.js";

const scaled = (other: TensorLike, alpha: number | undefined): TensorLike => (alpha === undefined || alpha === 1 ? other : B.mul(other, alpha));

/** input + alpha·other. @example torch.add(x, 1); torch.add(x, y, { alpha: 2 }) */
export function add(input: TensorLike, other: TensorLike, opts: { alpha?: number } = {}): Tensor {
  return B.add(input, scaled(other, opts.alpha));
}

/** input − alpha·other. */
export function sub(input: TensorLike, other: TensorLike, opts: { alpha?: number } = {}): Tensor {
  return B.sub(input, scaled(other, opts.alpha));
}
export { sub as subtract };

/**
 * input ** exponent; either side may be a number (`torch.pow(2, x)`, `torch.pow(x, 3)`).
 */
export function pow(input: TensorLike, exponent: TensorLike): Tensor {
  if (typeof exponent === "number" && input instanceof Tensor) return powScalar(input, exponent);
  if (typeof input === "number" && exponent instanceof Tensor) return rpowScalar(input, exponent);
  if (!(input instanceof Tensor) && !(exponent instanceof Tensor)) throw new ValueError("pow: at least one argument must be a Tensor");
  return B.pow(input, exponent);
}

/**
 * `torch.max(x)`: the largest element; `torch.max(x, dim, keepdim?)`: values and indices, usable
 * as `[values, indices]` or `.values` / `.indices`; `torch.max(a, b)`: the elementwise maximum.
 */
export function max(input: Tensor): Tensor;
export function max(input: Tensor, dim: number, keepdim?: boolean): R.ValuesIndices;
export function max(input: Tensor, other: Tensor): Tensor;
export function max(input: Tensor, dimOrOther?: number | Tensor, keepdim = false): Tensor | R.ValuesIndices {
  if (dimOrOther instanceof Tensor) return B.maximum(input, dimOrOther);
  return dimOrOther === undefined ? R.max(input) : R.max(input, dimOrOther, keepdim);
}

/** `torch.min`: as {@link max}, for the smallest. */
export function min(input: Tensor): Tensor;
export function min(input: Tensor, dim: number, keepdim?: boolean): R.ValuesIndices;
export function min(input: Tensor, other: Tensor): Tensor;
export function min(input: Tensor, dimOrOther?: number | Tensor, keepdim = false): Tensor | R.ValuesIndices {
  if (dimOrOther instanceof Tensor) return B.minimum(input, dimOrOther);
  return dimOrOther === undefined ? R.min(input) : R.min(input, dimOrOther, keepdim);
}

/** Tolerances of isclose/allclose (PyTorch's defaults: rtol 1e-5, atol 1e-8). */
export interface CloseOptions {
  rtol?: number;
  atol?: number;
  equalNan?: boolean;
}

/** |a − b| ≤ atol + rtol·|b|, elementwise (bool). */
export function isclose(a: Tensor, b: Tensor, opts: CloseOptions = {}): Tensor {
  const rtol = opts.rtol ?? 1e-5;
  const atol = opts.atol ?? 1e-8;
  const close = B.logicalOr(B.eq(a, b), B.le(abs(B.sub(a, b)), B.add(B.mul(abs(b), rtol), atol)));
  if (!opts.equalNan) return close;
  return B.logicalOr(close, B.logicalAnd(B.ne(a, a), B.ne(b, b)));
}

/** Whether every element is close (isclose), as a JS boolean. @example torch.allclose(a, b, { atol: 1e-6 }) */
export function allclose(a: Tensor, b: Tensor, opts: CloseOptions = {}): boolean {
  return R.all(isclose(a, b, opts)).item() !== 0;
}

/** The number of elements (`torch.numel`). */
export function numel(t: Tensor): number {
  return t.numel();
}

/** Whether `v` is a tensor (`torch.is_tensor`). */
export function isTensor(v: unknown): v is Tensor {
  return v instanceof Tensor;
}

/** Whether `t` has a floating point dtype (`torch.is_floating_point`). */
export function isFloatingPoint(t: Tensor): boolean {
  return isFloating(t.dtype);
}
