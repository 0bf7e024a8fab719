import { Tensor } from "../tensor/tensor.js";
import type { DType } from "../tensor/dtype.js";
import { isFloating, resultType, resultType2 } from "../tensor/dtype.js";
import { newBuffer } from "../tensor/storage.js";
import { fmtShape, numel } from "../tensor/shape.js";
import { DTypeError } from "../tensor/errors.js";
import { backend } from "../backend/registry.js";

/** The attributes of every op that has none: one shared frozen record instead of a new `{}` per call. */
export const NO_ATTRS: {} = Object.freeze({});

/** A tensor or a JavaScript number/boolean where PyTorch accepts a Python scalar. */
export type TensorLike = Tensor | number | boolean;

/** An uninitialised (zeroed) tensor. */
export function empty(shape: readonly number[], dtype: DType): Tensor {
  // Shapes are immutable once made (Tensor.shape is readonly), so the array is shared.
  return new Tensor(newBuffer(dtype, numel(shape)), shape, dtype);
}

// Wrapped numbers are only ever op inputs, never written nor handed to users, so one tensor per
// value can be shared: a training step wraps the same few numbers (a learning rate, a mean's count,
// the 2 of a square's gradient) at every step. Bounded: cleared when full.
const wrappedCache = new Map<number, Tensor>();
const WRAPPED_CACHE_SIZE = 256;

/** Wraps a JS number as a 0-d tensor of lowest promotion priority (PyTorch's wrapped number). */
export function scalar(v: number | boolean): Tensor {
  if (typeof v === "number") {
    // (Map keys equate 0 and -0; both wrap as the int32 0.)
    const hit = wrappedCache.get(v);
    if (hit !== undefined) return hit;
  }
  let t: Tensor;
  if (typeof v === "boolean") t = new Tensor(new Uint8Array([v ? 1 : 0]), [], "bool");
  else if (Number.isInteger(v) && Math.abs(v) <= 0x7fffffff) t = new Tensor(new Int32Array([v]), [], "int32");
  else t = new Tensor(new Float64Array([v]), [], "float64");
  t._wrapped = true;
  if (typeof v === "number") {
    if (wrappedCache.size >= WRAPPED_CACHE_SIZE) wrappedCache.clear();
    wrappedCache.set(v, t);
  }
  return t;
}

/** `x` itself if a tensor, else the number or boolean wrapped by {@link scalar}. */
export function toTensor(x: TensorLike): Tensor {
  return x instanceof Tensor ? x : scalar(x);
}

/** The dtype an op on these operands computes in (torch.result_type). */
export function computeType(...ts: readonly Tensor[]): DType {
  if (ts.length === 2) {
    const [a, b] = ts;
    return resultType2(a.dtype, a.shape.length, a._wrapped, b.dtype, b.shape.length, b._wrapped);
  }
  return resultType(ts.map((t) => ({ dtype: t.dtype, ndim: t.shape.length, wrapped: t._wrapped })));
}

/**
 * The dtype a binary op computes in: the promoted type, with ints and bools going to float32
 * under true division (`trueDivision`), as torch.div.
 */
export function binaryComputeType(a: Tensor, b: Tensor, trueDivision: boolean): DType {
  const ct = a.dtype === b.dtype ? a.dtype : computeType(a, b);
  return trueDivision && (ct === "int32" || ct === "bool") ? "float32" : ct;
}

/** `t` in `dtype`: itself if it already is, else a converted copy (not recorded). */
export function castTo(t: Tensor, dtype: DType): Tensor {
  if (t.dtype === dtype) return t;
  const out = empty(t.shape, dtype);
  backend().cast(t.storage, out.storage, dtype === "bool");
  return out;
}

// A wrapped number converted to float32 for a kernel (`g.mul(0.01)`, the 2 of a square's
// gradient), one per value: such casts are only read by kernels, so they can be shared, and a
// training step would otherwise make the same few at every step. Bounded like wrappedCache.
const wrappedF32 = new Map<number, Tensor>();

/**
 * `castTo` for an operand a kernel only reads (never returned from an op nor written): a wrapped
 * number's float32 copy is shared between calls.
 */
export function castOperand(t: Tensor, dtype: DType): Tensor {
  if (t.dtype === dtype) return t;
  if (!t._wrapped || dtype !== "float32") return castTo(t, dtype);
  const v = t.storage[0];
  let c = wrappedF32.get(v);
  if (c === undefined) {
    c = castTo(t, dtype);
    if (wrappedF32.size >= WRAPPED_CACHE_SIZE) wrappedF32.clear();
    wrappedF32.set(v, c);
  }
  return c;
}

/** Raises unless `t` is floating point, naming the op (as PyTorch does for mean, softmax, …). */
export function requireFloat(op: string, t: Tensor): void {
  if (!isFloating(t.dtype)) {
    throw new DTypeError(`${op}: expected a floating point tensor, got ${t.dtype} (shape ${fmtShape(t.shape)}); convert it with .to(float32) first`);
  }
}

/** The float dtype unary math ops compute in: ints and bools promote to float32, as in PyTorch. */
export function floatType(t: Tensor): DType {
  return isFloating(t.dtype) ? t.dtype : "float32";
}
