// TensorFlow's functions under their TF names and argument conventions (`axis`, `keepdims`,
// reductions over every axis by default), each a call of the one op table: no math of its own.
import { Tensor } from "../tensor/tensor.js";
import type { DType } from "../tensor/dtype.js";
import { fmtShape, normDim, numel } from "../tensor/shape.js";
import { ShapeError, ValueError } from "../tensor/errors.js";
import * as C from "../tensor/creation.js";
import * as A from "../ops/api.js";
import { convertToTensor, type TensorInput } from "./convert.js";

export { convertToTensor, type TensorInput };

type Axis = number | readonly number[] | null | undefined;

const T = (x: TensorInput): Tensor => convertToTensor(x);
/** Operands of a binary op: tensors, JS numbers kept as wrapped scalars (they adopt the other's dtype). */
const B = (x: TensorInput): Tensor | number => (typeof x === "number" ? x : convertToTensor(x));

/**
 * A constant tensor from a value (TF's `tf.constant`); `shape` reshapes it, or fills it when the
 * value is a single number.
 * @example tf.constant([1, 2, 3]); tf.constant(0, "float32", [2, 2])
 */
export function constant(value: TensorInput, dtype?: DType | null, shape?: readonly number[]): Tensor {
  let t = convertToTensor(value, dtype ?? undefined);
  // A constant never shares storage with the tensor it came from.
  if (t === value) t = A.clone(t).detach();
  if (shape === undefined) return t;
  if (t.numel() === 1 && numel(shape) !== 1) return C.full(shape, t.item(), { dtype: t.dtype });
  if (t.numel() !== numel(shape)) {
    throw new ShapeError(`constant: the value has ${t.numel()} elements, but the shape ${fmtShape(shape)} needs ${numel(shape)}`);
  }
  return A.reshape(t, shape);
}

// ---- element-wise math ----

export const add = (x: TensorInput, y: TensorInput): Tensor => A.add(B(x), B(y));
export const subtract = (x: TensorInput, y: TensorInput): Tensor => A.sub(B(x), B(y));
export const multiply = (x: TensorInput, y: TensorInput): Tensor => A.mul(B(x), B(y));
export const divide = (x: TensorInput, y: TensorInput): Tensor => A.div(B(x), B(y));
export const pow = (x: TensorInput, y: TensorInput): Tensor => (typeof y === "number" ? A.powScalar(T(x), y) : A.pow(T(x), T(y)));
export const maximum = (x: TensorInput, y: TensorInput): Tensor => A.maximum(T(x), B(y));
export const minimum = (x: TensorInput, y: TensorInput): Tensor => A.minimum(T(x), B(y));
/** (x − y)², element-wise. */
export const squaredDifference = (x: TensorInput, y: TensorInput): Tensor => A.square(A.sub(T(x), B(y)));
export const negative = (x: TensorInput): Tensor => A.neg(T(x));
export const square = (x: TensorInput): Tensor => A.square(T(x));
export const sqrt = (x: TensorInput): Tensor => A.sqrt(T(x));
export const rsqrt = (x: TensorInput): Tensor => A.rsqrt(T(x));
export const exp = (x: TensorInput): Tensor => A.exp(T(x));
export const log = (x: TensorInput): Tensor => A.log(T(x));
export const log1p = (x: TensorInput): Tensor => A.log1p(T(x));
export const abs = (x: TensorInput): Tensor => A.abs(T(x));
export const sign = (x: TensorInput): Tensor => A.sign(T(x));
export const sin = (x: TensorInput): Tensor => A.sin(T(x));
export const cos = (x: TensorInput): Tensor => A.cos(T(x));
export const tan = (x: TensorInput): Tensor => A.tan(T(x));
export const tanh = (x: TensorInput): Tensor => A.tanh(T(x));
export const sigmoid = (x: TensorInput): Tensor => A.sigmoid(T(x));
export const floor = (x: TensorInput): Tensor => A.floor(T(x));
export const ceil = (x: TensorInput): Tensor => A.ceil(T(x));
/** Rounds half to even, as tf.round. */
export const round = (x: TensorInput): Tensor => A.round(T(x));
export const reciprocal = (x: TensorInput): Tensor => A.reciprocal(T(x));
/** Clips to [min, max] (TF's `tf.clip_by_value`). */
export const clipByValue = (x: TensorInput, clipValueMin: TensorInput, clipValueMax: TensorInput): Tensor => A.clamp(T(x), B(clipValueMin), B(clipValueMax));

// ---- comparisons and logic ----

export const equal = (x: TensorInput, y: TensorInput): Tensor => A.eq(T(x), B(y));
export const notEqual = (x: TensorInput, y: TensorInput): Tensor => A.ne(T(x), B(y));
export const greater = (x: TensorInput, y: TensorInput): Tensor => A.gt(T(x), B(y));
export const greaterEqual = (x: TensorInput, y: TensorInput): Tensor => A.ge(T(x), B(y));
export const less = (x: TensorInput, y: TensorInput): Tensor => A.lt(T(x), B(y));
export const lessEqual = (x: TensorInput, y: TensorInput): Tensor => A.le(T(x), B(y));
export const logicalAnd = (x: TensorInput, y: TensorInput): Tensor => A.logicalAnd(T(x), B(y));
export const logicalOr = (x: TensorInput, y: TensorInput): Tensor => A.logicalOr(T(x), B(y));
export const logicalNot = (x: TensorInput): Tensor => A.logicalNot(T(x));
/** Picks from `x` where `condition` holds, else from `y` (broadcasting, as tf.where with three arguments). */
export const where = (condition: TensorInput, x: TensorInput, y: TensorInput): Tensor => A.where(T(condition), B(x), B(y));

// ---- reductions: axis (one, several, or all when omitted) and keepdims ----

/** Sum over `axis` (all axes when omitted). @example tf.reduceSum(x, 1, true) */
export const reduceSum = (x: TensorInput, axis?: Axis, keepdims = false): Tensor => A.sum(T(x), axis, keepdims);
/** Mean over `axis` (all axes when omitted): `tf.reduceMean(tf.square(e))` is a scalar. */
export const reduceMean = (x: TensorInput, axis?: Axis, keepdims = false): Tensor => A.mean(T(x), axis, keepdims);
export const reduceMax = (x: TensorInput, axis?: Axis, keepdims = false): Tensor => A.amax(T(x), axis, keepdims);
export const reduceMin = (x: TensorInput, axis?: Axis, keepdims = false): Tensor => A.amin(T(x), axis, keepdims);
export const reduceProd = (x: TensorInput, axis?: Axis, keepdims = false): Tensor => A.prod(T(x), axis, keepdims);
export const reduceAll = (x: TensorInput, axis?: Axis, keepdims = false): Tensor => A.all(T(x), axis, keepdims);
export const reduceAny = (x: TensorInput, axis?: Axis, keepdims = false): Tensor => A.any(T(x), axis, keepdims);
/** Population variance (TF divides by N). */
export const reduceVariance = (x: TensorInput, axis?: Axis, keepdims = false): Tensor => A.variance(T(x), axis, { correction: 0, keepdim: keepdims });
/** Population standard deviation (TF divides by N). */
export const reduceStd = (x: TensorInput, axis?: Axis, keepdims = false): Tensor => A.std(T(x), axis, { correction: 0, keepdim: keepdims });
export const reduceLogSumExp = (x: TensorInput, axis?: Axis, keepdims = false): Tensor => {
  const t = T(x);
  return A.logsumexp(t, axis ?? t.shape.map((_, i) => i), keepdims);
};
/** Index of the largest value along `axis` (default 0, as in TF), int32. */
export const argmax = (x: TensorInput, axis = 0): Tensor => A.argmax(T(x), axis);
export const argmin = (x: TensorInput, axis = 0): Tensor => A.argmin(T(x), axis);
/** Cumulative sum along `axis` (default 0). */
export const cumsum = (x: TensorInput, axis = 0): Tensor => A.cumsum(T(x), axis);
/** The Euclidean norm over every element, or over `axis`. */
export const norm = (x: TensorInput, ord: number | "euclidean" = "euclidean", axis?: Axis, keepdims = false): Tensor =>
  A.norm(T(x), ord === "euclidean" ? 2 : ord, axis, keepdims);

// ---- matrices ----

export interface MatmulOptions {
  transposeA?: boolean;
  transposeB?: boolean;
}

/**
 * Matrix product of the last two axes (batched over the others), optionally transposing either
 * operand first, as tf.matmul.
 * @example tf.matmul(x, w, { transposeB: true })
 */
export function matmul(a: TensorInput, b: TensorInput, opts: MatmulOptions | boolean = {}, transposeB?: boolean): Tensor {
  const o = typeof opts === "boolean" ? { transposeA: opts, transposeB } : opts;
  let x = T(a);
  let y = T(b);
  if (x.ndim < 2 || y.ndim < 2) {
    throw new ShapeError(`matmul: In[0] and In[1] must be at least 2-D (TensorFlow does not promote vectors), got ${fmtShape(x.shape)} and ${fmtShape(y.shape)}`);
  }
  if (o.transposeA) x = A.transpose(x, -2, -1);
  if (o.transposeB) y = A.transpose(y, -2, -1);
  return A.matmul(x, y);
}

// ---- shapes ----

/** A view of `x` with a new shape (one entry may be -1). */
export const reshape = (x: TensorInput, shape: readonly number[]): Tensor => A.reshape(T(x), shape);
/** Permutes the axes (reverses them when `perm` is omitted). */
export function transpose(x: TensorInput, perm?: readonly number[]): Tensor {
  const t = T(x);
  return A.permute(t, perm ?? t.shape.map((_, i) => t.ndim - 1 - i));
}
/** Inserts a size-1 axis at `axis` (negative counts from the end of the new shape). */
export const expandDims = (x: TensorInput, axis: number): Tensor => A.unsqueeze(T(x), axis);
/** Removes size-1 axes (all, or those in `axis`); naming an axis that is not 1 is an error, as in TF. */
export function squeeze(x: TensorInput, axis?: Axis): Tensor {
  const t = T(x);
  if (axis !== undefined && axis !== null) {
    const axes = typeof axis === "number" ? [axis] : axis;
    for (const a of axes) {
      const d = normDim("squeeze", a, t.ndim);
      if (t.shape[d] !== 1) throw new ValueError(`squeeze: can not squeeze dim[${d}], expected a dimension of 1, got ${t.shape[d]} (shape ${fmtShape(t.shape)})`);
    }
  }
  return A.squeeze(t, axis);
}
/** Joins tensors along an existing axis. */
export const concat = (values: readonly TensorInput[], axis: number): Tensor => A.cat(values.map(T), axis);
/** Joins tensors along a new axis (default 0). */
export const stack = (values: readonly TensorInput[], axis = 0): Tensor => A.stack(values.map(T), axis);
/** Splits along `axis` into its slices, the axis removed. */
export function unstack(x: TensorInput, axis = 0): Tensor[] {
  const t = T(x);
  const d = normDim("unstack", axis, t.ndim);
  return A.split(t, 1, d).map((p) => A.squeeze(p, d));
}
/** Splits into `numOrSizeSplits` equal pieces, or pieces of the given sizes, along `axis`. */
export function split(x: TensorInput, numOrSizeSplits: number | readonly number[], axis = 0): Tensor[] {
  const t = T(x);
  const d = normDim("split", axis, t.ndim);
  if (typeof numOrSizeSplits === "number") {
    if (t.shape[d] % numOrSizeSplits !== 0) {
      throw new ValueError(`split: dimension ${d} of size ${t.shape[d]} cannot be split evenly into ${numOrSizeSplits} pieces`);
    }
    return A.split(t, t.shape[d] / numOrSizeSplits, d);
  }
  return A.split(t, numOrSizeSplits, d);
}
/** Repeats `x` `multiples[i]` times along axis i. */
export function tile(x: TensorInput, multiples: readonly number[]): Tensor {
  const t = T(x);
  if (multiples.length !== t.ndim) throw new ValueError(`tile: expected multiples of length ${t.ndim} for shape ${fmtShape(t.shape)}, got [${multiples.join(", ")}]`);
  // [a, b] -> [1, a, 1, b] -> [m, a, n, b] -> [m·a, n·b]
  const spread = t.shape.flatMap((n) => [1, n]);
  const big = t.shape.flatMap((n, i) => [multiples[i], n]);
  return A.reshape(A.expand(A.reshape(t, spread), big), t.shape.map((n, i) => n * multiples[i]));
}
export const broadcastTo = (x: TensorInput, shape: readonly number[]): Tensor => A.expand(T(x), shape);
/** `size` entries from `begin` along each axis (-1: to the end), as tf.slice. */
export function slice(x: TensorInput, begin: readonly number[], size: readonly number[]): Tensor {
  const t = T(x);
  if (begin.length !== t.ndim || size.length !== t.ndim) {
    throw new ValueError(`slice: begin [${begin.join(", ")}] and size [${size.join(", ")}] must both have ${t.ndim} entries for shape ${fmtShape(t.shape)}`);
  }
  return A.sliceDims(t, begin.map((b, i) => ({ start: b, stop: size[i] === -1 ? null : b + size[i] })));
}
/** Rows of `params` (or slices along `axis`) picked by integer `indices` of any shape. */
export function gather(params: TensorInput, indices: TensorInput, axis = 0): Tensor {
  const p = T(params);
  const idx = convertToTensor(indices, "int32");
  const d = normDim("gather", axis, p.ndim);
  const picked = A.indexSelect(p, d, A.reshape(idx, [-1]));
  return A.reshape(picked, [...p.shape.slice(0, d), ...idx.shape, ...p.shape.slice(d + 1)]);
}
/** One-hot vectors of length `depth` along a new last axis (float32 by default). */
export function oneHot(indices: TensorInput, depth: number, onValue = 1, offValue = 0, dtype: DType = "float32"): Tensor {
  const idx = convertToTensor(indices, "int32");
  return A.where(A.oneHotMask(idx, depth), C.full([], onValue, { dtype }), C.full([], offValue, { dtype }));
}
/** The shape as an int32 vector (TF's `tf.shape`). */
export const shape = (x: TensorInput): Tensor => C.tensor(Int32Array.from(T(x).shape));
export const rank = (x: TensorInput): number => T(x).ndim;
export const size = (x: TensorInput): number => T(x).numel();
/** The same values, recorded as an op (gradients pass through). */
export const identity = (x: TensorInput): Tensor => A.clone(T(x));
export const cast = (x: TensorInput, dtype: DType): Tensor => A.cast(T(x), dtype);

/** `x` with gradients blocked: tapes treat it as a constant. */
export const stopGradient = (x: TensorInput): Tensor => T(x).detach();

// ---- creation ----

export const zeros = (shape: readonly number[], dtype: DType = "float32"): Tensor => C.zeros(shape, { dtype });
export const ones = (shape: readonly number[], dtype: DType = "float32"): Tensor => C.ones(shape, { dtype });
export const zerosLike = (x: TensorInput, dtype?: DType): Tensor => C.zerosLike(T(x), dtype ? { dtype } : undefined);
export const onesLike = (x: TensorInput, dtype?: DType): Tensor => C.onesLike(T(x), dtype ? { dtype } : undefined);
/** A tensor of `dims` filled with `value`. */
export const fill = (dims: readonly number[], value: number, dtype: DType = "float32"): Tensor => C.full(dims, value, { dtype });
/** start, start+delta, … below limit; one argument means [0, limit). int32 for integers, as TF. */
export function range(start: number, limit?: number, delta = 1, dtype?: DType): Tensor {
  return C.arange(start, limit, delta, dtype ? { dtype } : undefined);
}
export const linspace = (start: number, stop: number, num: number): Tensor => C.linspace(start, stop, num);
export const eye = (numRows: number, numColumns?: number, dtype: DType = "float32"): Tensor => C.eye(numRows, numColumns ?? numRows, { dtype });

/**
 * Pairs the i-th entries of arrays, as Python's `zip` (for `applyGradients(tf.zip(grads, vars))`).
 * Stops at the shortest.
 */
export function zip<A, B>(a: Iterable<A>, b: Iterable<B>): [A, B][] {
  const xs = Array.from(a);
  const ys = Array.from(b);
  const n = Math.min(xs.length, ys.length);
  const out: [A, B][] = [];
  for (let i = 0; i < n; i++) out.push([xs[i], ys[i]]);
  return out;
}

/** Whether a value is a tensor (TF's `tf.is_tensor`). */
export const isTensor = (x: unknown): x is Tensor => x instanceof Tensor;
