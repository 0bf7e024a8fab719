import { Tensor } from "./tensor.js";
import { allocBuffer, dtypeOfBuffer, isFloating, type DType, type TypedArray } from "./dtype.js";
import { newBuffer } from "./storage.js";
import { fmtShape, numel } from "./shape.js";
import { DTypeError, ValueError } from "./errors.js";
import { backend } from "../backend/registry.js";

/** Options every creation function takes. */
export interface CreateOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

/** Nested arrays of numbers or booleans, any depth. */
export type NestedArray = number | boolean | readonly NestedArray[];

/** Shape arguments: `zeros(2, 3)`, `zeros([2, 3])`. */
export type ShapeArgs = readonly (number | readonly number[])[];

export function shapeFromArgs(op: string, args: ShapeArgs): number[] {
  const s = args.length === 1 && Array.isArray(args[0]) ? (args[0] as readonly number[]).slice() : (args as number[]).slice();
  for (const d of s) {
    if (typeof d !== "number" || !Number.isInteger(d) || d < 0) {
      throw new ValueError(`${op}: invalid shape ${fmtShape(s)}: every dimension must be a non-negative integer`);
    }
  }
  return s;
}

function finish(t: Tensor, opts: CreateOptions | undefined): Tensor {
  if (opts?.requiresGrad) {
    if (!isFloating(t.dtype)) {
      throw new DTypeError(`requiresGrad: only tensors of floating point dtype can require gradients (got ${t.dtype})`);
    }
    t.requiresGrad = true;
  }
  return t;
}

/** A tensor of `shape` filled with `value`. */
export function full(shape: readonly number[], value: number | boolean, opts?: CreateOptions): Tensor {
  const dtype = opts?.dtype ?? (typeof value === "boolean" ? "bool" : "float32");
  const t = new Tensor(newBuffer(dtype, numel(shape)), shape.slice(), dtype);
  const v = typeof value === "boolean" ? (value ? 1 : 0) : value;
  if (v !== 0) backend().fill(t.storage, v);
  return finish(t, opts);
}

export function zeros(shape: readonly number[], opts?: CreateOptions): Tensor {
  return full(shape, 0, opts);
}

export function ones(shape: readonly number[], opts?: CreateOptions): Tensor {
  return full(shape, 1, opts);
}

/** Like PyTorch's `torch.empty`; duograd's buffers are zeroed, so this is `zeros`. */
export function empty(shape: readonly number[], opts?: CreateOptions): Tensor {
  return full(shape, 0, opts);
}

/**
 * `full(t.shape, value)` in t's dtype without options to merge: the ones a backward pass starts
 * from (`loss.backward()`) at every step. t's shape array is shared (shapes are never mutated).
 */
function filledLike(t: Tensor, value: number): Tensor {
  const out = new Tensor(newBuffer(t.dtype, t.storage.length), t.shape, t.dtype);
  if (value !== 0) backend().fill(out.storage, value);
  return out;
}

export function zerosLike(t: Tensor, opts?: CreateOptions): Tensor {
  if (opts === undefined) return filledLike(t, 0);
  return full(t.shape, 0, { dtype: t.dtype, ...opts });
}

export function onesLike(t: Tensor, opts?: CreateOptions): Tensor {
  if (opts === undefined) return filledLike(t, 1);
  return full(t.shape, 1, { dtype: t.dtype, ...opts });
}

export function fullLike(t: Tensor, value: number, opts?: CreateOptions): Tensor {
  return full(t.shape, value, { dtype: t.dtype, ...opts });
}

export function emptyLike(t: Tensor, opts?: CreateOptions): Tensor {
  return zerosLike(t, opts);
}

/** Values in [start, end) by `step` (torch.arange); one argument means [0, end). Float32 unless dtype. */
export function arange(start: number, end?: number, step = 1, opts?: CreateOptions): Tensor {
  if (end === undefined) {
    end = start;
    start = 0;
  }
  if (step === 0) throw new ValueError("arange: step must be nonzero");
  if ((end - start) / step < 0) throw new ValueError(`arange: upper bound and larger bound inconsistent with step sign (start ${start}, end ${end}, step ${step})`);
  const n = Math.ceil((end - start) / step);
  const allInt = Number.isInteger(start) && Number.isInteger(end) && Number.isInteger(step);
  const dtype = opts?.dtype ?? (allInt ? "int32" : "float32");
  const t = new Tensor(newBuffer(dtype, n), [n], dtype);
  backend().arange(t.storage, start, step);
  return finish(t, opts);
}

/** `steps` evenly spaced values from start to end inclusive. */
export function linspace(start: number, end: number, steps: number, opts?: CreateOptions): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new ValueError(`linspace: number of steps must be non-negative, got ${steps}`);
  const dtype = opts?.dtype ?? "float32";
  const t = new Tensor(newBuffer(dtype, steps), [steps], dtype);
  backend().arange(t.storage, start, steps > 1 ? (end - start) / (steps - 1) : 0);
  if (steps > 1) t.storage[steps - 1] = end;
  return finish(t, opts);
}

/** An n×m identity matrix. */
export function eye(n: number, m = n, opts?: CreateOptions): Tensor {
  const dtype = opts?.dtype ?? "float32";
  const t = new Tensor(newBuffer(dtype, n * m), [n, m], dtype);
  // The diagonal of a row-major n×m matrix is a stride-(m+1) walk.
  backend().stridedScatterAdd(new Float64Array(Math.min(n, m)).fill(1), [Math.min(n, m)], t.storage, 0, [m + 1]);
  return finish(t, opts);
}

function flatten(op: string, data: NestedArray, shape: number[], out: (number | boolean)[], depth: number): void {
  if (Array.isArray(data)) {
    if (depth === shape.length) shape.push(data.length);
    else if (shape[depth] !== data.length) {
      throw new ValueError(`${op}: expected sequence of length ${shape[depth]} at dim ${depth} (got ${data.length})`);
    }
    for (const d of data as readonly NestedArray[]) flatten(op, d, shape, out, depth + 1);
  } else {
    if (depth !== shape.length) throw new ValueError(`${op}: ragged nested array: a number where a sequence was expected at dim ${depth}`);
    if (typeof data !== "number" && typeof data !== "boolean") throw new ValueError(`${op}: expected numbers or booleans, got ${typeof data}`);
    out.push(data);
  }
}

/**
 * A tensor from a number, nested arrays, or a typed array (whose dtype it keeps; copied).
 * JavaScript numbers give float32 (JS cannot tell 1 from 1.0), booleans give bool.
 * @example tensor([[1, 2], [3, 4]], { requiresGrad: true })
 */
export function tensor(data: NestedArray | TypedArray | Tensor, opts?: CreateOptions): Tensor {
  if (data instanceof Tensor) {
    const dtype = opts?.dtype ?? data.dtype;
    const t = new Tensor(allocBuffer(dtype, data.storage.length), data.shape.slice(), dtype);
    backend().cast(data.storage, t.storage, dtype === "bool");
    return finish(t, opts);
  }
  if (ArrayBuffer.isView(data)) {
    const src = data as TypedArray;
    const dtype = opts?.dtype ?? dtypeOfBuffer(src);
    const t = new Tensor(newBuffer(dtype, src.length), [src.length], dtype);
    backend().cast(src, t.storage, dtype === "bool");
    return finish(t, opts);
  }
  const shape: number[] = [];
  const flat: (number | boolean)[] = [];
  flatten("tensor", data as NestedArray, shape, flat, 0);
  const dtype = opts?.dtype ?? (flat.length > 0 && flat.every((v) => typeof v === "boolean") ? "bool" : "float32");
  const t = new Tensor(newBuffer(dtype, flat.length), shape, dtype);
  const nums = flat.map((v) => (typeof v === "boolean" ? (v ? 1 : 0) : v));
  backend().cast(Float64Array.from(nums), t.storage, dtype === "bool");
  return finish(t, opts);
}

/** A tensor viewing `data` without copying (the caller gives up the buffer). */
export function fromBuffer(data: TypedArray, shape: readonly number[], dtype: DType = dtypeOfBuffer(data)): Tensor {
  if (numel(shape) !== data.length) {
    throw new ValueError(`fromBuffer: shape ${fmtShape(shape)} needs ${numel(shape)} elements, got ${data.length}`);
  }
  return new Tensor(data, shape.slice(), dtype);
}
