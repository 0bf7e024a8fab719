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

// The last few wrapped numbers, searched with === before the Map (hashing a double costs about
// as much as the rest of a 1-element op's bookkeeping): a step wraps the same few at every step.
// (=== equates 0 and -0, as the Map's keys do; NaN never hits here and goes to the Map.)
const RECENT = 8;
const recentValues: number[] = [];
const recentTensors: Tensor[] = [];
let nextRecent = 0;

/** Wraps a JS number as a 0-d tensor of lowest promotion priority (PyTorch's wrapped number). */
export function scalar(v: number | boolean): Tensor {
  if (typeof v === "number") {
    for (let i = 0; i < recentValues.length; i++) if (recentValues[i] === v) return recentTensors[i];
    // (Map keys equate 0 and -0; both wrap as the int32 0.)
    const hit = wrappedCache.get(v);
    if (hit !== undefined) {
      remember(v, hit);
      return hit;
    }
  }
  let t: Tensor;
  if (typeof v === "boolean") t = new Tensor(new Uint8Array([v ? 1 : 0]), [], "bool");
  else if (Number.isInteger(v) && Math.abs(v) <= 0x7fffffff) t = new Tensor(new Int32Array([v]), [], "int32");
  else t = new Tensor(new Float64Array([v]), [], "float64");
  t._wrapped = true;
  if (typeof v === "number") {
    if (wrappedCache.size >= WRAPPED_CACHE_SIZE) wrappedCache.clear();
    wrappedCache.set(v, t);
    remember(v, t);
  }
  return t;
}

function remember(v: number, t: Tensor): void {
  if (recentValues.length < RECENT) {
    recentValues.push(v);
    recentTensors.push(t);
    return;
  }
  recentValues[nextRecent] = v;
  recentTensors[nextRecent] = t;
  nextRecent = (nextRecent + 1) % RECENT;
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
/** The last few wrapped tensors castOperand converted, and their float32 copies. */
const recentCastOf: Tensor[] = [];
const recentCasts: Tensor[] = [];
let nextCast = 0;

/**
 * `castTo` for an operand a kernel only reads (never returned from an op nor written): a wrapped
 * number's float32 copy is shared between calls.
 */
export function castOperand(t: Tensor, dtype: DType): Tensor {
  if (t.dtype === dtype) return t;
  if (!t._wrapped || dtype !== "float32") return castTo(t, dtype);
  // By identity first: wrapped tensors are shared per value (scalar's caches).
  for (let i = 0; i < recentCastOf.length; i++) if (recentCastOf[i] === t) return recentCasts[i];
  const v = t.storage[0];
  let c = wrappedF32.get(v);
  if (c === undefined) {
    c = castTo(t, dtype);
    if (wrappedF32.size >= WRAPPED_CACHE_SIZE) wrappedF32.clear();
    wrappedF32.set(v, c);
  }
  if (recentCastOf.length < RECENT) {
    recentCastOf.push(t);
    recentCasts.push(c);
  } else {
    recentCastOf[nextCast] = t;
    recentCasts[nextCast] = c;
    nextCast = (nextCast + 1) % RECENT;
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
