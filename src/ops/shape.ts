import type { Tensor } from "../tensor/tensor.js";
import { backend } from "../backend/registry.js";
import { fmtShape, inferShape, normDim, normDims, shapesEqual, stridesOf } from "../tensor/shape.js";
import { IndexError, ShapeError, ValueError } from "../tensor/errors.js";
import { aliasOf, apply } from "./apply.js";
import { isGradEnabled } from "../autograd/grad_mode.js";
import type { RuleSet } from "./rule.js";
import { castTo, computeType, empty } from "./util.js";
import { sumTo } from "./reduce.js";

declare module "./rule.js" {
  interface OpAttrs {
    reshape: { shape: number[] };
    permute: { dims: number[] };
    expand: { shape: number[] };
    slice: { starts: number[]; steps: number[]; sizes: number[] };
    slice_backward: { inputShape: number[]; starts: number[]; steps: number[] };
    cat: { dim: number };
  }
}

function sliceGeometry(shape: readonly number[], starts: readonly number[], steps: readonly number[]): { offset: number; strides: number[] } {
  const base = stridesOf(shape);
  let offset = 0;
  for (let d = 0; d < shape.length; d++) offset += starts[d] * base[d];
  return { offset, strides: base.map((s, d) => s * steps[d]) };
}

export const shapeRules: RuleSet<"reshape" | "permute" | "expand" | "slice" | "slice_backward" | "cat"> = {
  reshape: {
    // A view: same storage, same version counter.
    forward: ([x], a) => aliasOf(x, a.shape),
    vjp: (g, [x]) => [reshape(g, x.shape)],
  },
  permute: {
    forward([x], a) {
      const st = stridesOf(x.shape);
      const shape = a.dims.map((d) => x.shape[d]);
      const out = empty(shape, x.dtype);
      backend().stridedGather(x.storage, 0, a.dims.map((d) => st[d]), shape, out.storage);
      return out;
    },
    vjp: (g, _x, _o, a) => {
      const inv = new Array<number>(a.dims.length);
      a.dims.forEach((d, i) => (inv[d] = i));
      return [permute(g, inv)];
    },
  },
  expand: {
    forward([x], a) {
      // One element (a reduction's gradient spread back, a scalar broadcast): a fill, without
      // the strided walk's per-row odometer.
      if (x.storage.length === 1) {
        const filled = empty(a.shape, x.dtype);
        backend().fill(filled.storage, x.storage[0]);
        return filled;
      }
      const lead = a.shape.length - x.ndim;
      const st = stridesOf(x.shape);
      const strides = a.shape.map((n, d) => (d < lead || x.shape[d - lead] === 1 ? 0 : st[d - lead]));
      const out = empty(a.shape, x.dtype);
      backend().stridedGather(x.storage, 0, strides, a.shape, out.storage);
      return out;
    },
    vjp: (g, [x]) => [sumTo(g, x.shape)],
  },
  slice: {
    forward([x], a) {
      const { offset, strides } = sliceGeometry(x.shape, a.starts, a.steps);
      const out = empty(a.sizes, x.dtype);
      backend().stridedGather(x.storage, offset, strides, a.sizes, out.storage);
      return out;
    },
    vjp: (g, [x], _o, a) => [apply("slice_backward", [g], { inputShape: x.shape.slice(), starts: a.starts, steps: a.steps })],
  },
  slice_backward: {
    forward([g], a) {
      const { offset, strides } = sliceGeometry(a.inputShape, a.starts, a.steps);
      const out = empty(a.inputShape, g.dtype);
      backend().stridedScatterAdd(g.storage, g.shape, out.storage, offset, strides);
      return out;
    },
    vjp: (g2, [g], _o, a) => [apply("slice", [g2], { starts: a.starts, steps: a.steps, sizes: g.shape.slice() })],
  },
  cat: {
    forward(xs, a) {
      const dt = computeType(...xs);
      const shape = xs[0].shape.slice();
      shape[a.dim] = xs.reduce((s, x) => s + x.shape[a.dim], 0);
      const out = empty(shape, dt);
      const st = stridesOf(shape);
      let at = 0;
      for (const x of xs) {
        backend().stridedScatterAdd(castTo(x, dt).storage, x.shape, out.storage, at * st[a.dim], st);
        at += x.shape[a.dim];
      }
      return out;
    },
    vjp: (g, xs, _o, a, needs) => {
      let at = 0;
      return xs.map((x, i) => {
        const start = at;
        at += x.shape[a.dim];
        return needs[i] ? narrow(g, a.dim, start, x.shape[a.dim]) : null;
      });
    },
  },
};

/** A view with a new shape (one dim may be -1). Shares storage with `x`. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const s = inferShape("reshape", x.shape, shape);
  if (shapesEqual(s, x.shape)) return x;
  return apply("reshape", [x], { shape: s });
}

/** Reorders dims: `permute(x, [2, 0, 1])`. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== x.ndim) {
    throw new ShapeError(`permute: number of dims don't match in permute (tensor of shape ${fmtShape(x.shape)}, dims [${dims.join(", ")}])`);
  }
  const nd = dims.map((d) => normDim("permute", d, x.ndim));
  if (new Set(nd).size !== nd.length) throw new ShapeError(`permute: repeated dim in permute ([${dims.join(", ")}])`);
  if (nd.every((d, i) => d === i)) return x;
  return apply("permute", [x], { dims: nd });
}

export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  if (x.ndim === 0) return x;
  const a = normDim("transpose", dim0, x.ndim);
  const b = normDim("transpose", dim1, x.ndim);
  const dims = x.shape.map((_, i) => i);
  dims[a] = b;
  dims[b] = a;
  return permute(x, dims);
}

/** Broadcasts to `shape` (-1 keeps a dim), as torch.expand / tf.broadcastTo. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const lead = shape.length - x.ndim;
  if (lead < 0) {
    throw new ShapeError(`expand: the number of sizes provided (${shape.length}) must be greater or equal to the number of dimensions in the tensor (${x.ndim}) (shape ${fmtShape(x.shape)})`);
  }
  // A loop over one copy, not a map with a closure per call (the copy: `shape` is the caller's).
  const target = shape.slice();
  for (let d = 0; d < target.length; d++) {
    const n = target[d];
    const own = d >= lead ? x.shape[d - lead] : -1;
    if (n === -1) {
      if (d < lead) throw new ShapeError(`expand: -1 is not allowed in a leading, non-existing dimension (${fmtShape(shape)})`);
      target[d] = own;
    } else if (d >= lead && own !== 1 && own !== n) {
      throw new ShapeError(`expand: the expanded size of the tensor (${n}) must match the existing size (${own}) at non-singleton dimension ${d}. Target sizes: ${fmtShape(shape)}. Tensor sizes: ${fmtShape(x.shape)}`);
    }
  }
  if (shapesEqual(target, x.shape)) return x;
  // One element spread over many, not recorded (a reduction's gradient in a backward pass): the
  // expand op's own forward (a fill), without the op's layers around it.
  if (x.storage.length === 1 && !(x.requiresGrad && isGradEnabled())) {
    const out = empty(target, x.dtype);
    backend().fill(out.storage, x.storage[0]);
    return out;
  }
  return apply("expand", [x], { shape: target });
}

/** Removes size-1 dims (all of them, or those in `dim`). */
export function squeeze(x: Tensor, dim?: number | readonly number[] | null): Tensor {
  const dims = dim === undefined || dim === null ? null : normDims("squeeze", dim, x.ndim);
  const shape = x.shape.filter((n, d) => !(n === 1 && (dims === null || dims.includes(d))));
  return reshape(x, shape);
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normDim("unsqueeze", dim, x.ndim + 1);
  const shape = x.shape.slice();
  shape.splice(d, 0, 1);
  return reshape(x, shape);
}

/** Flattens dims startDim..endDim into one. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normDim("flatten", startDim, x.ndim);
  const e = normDim("flatten", endDim, x.ndim);
  if (s > e) throw new ValueError(`flatten: startDim (${startDim}) cannot come after endDim (${endDim})`);
  const shape = [...x.shape.slice(0, s), x.shape.slice(s, e + 1).reduce((a, b) => a * b, 1), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}

/** One Python slice along one dim, normalised: start, step and length. */
export interface SliceSpec {
  start?: number | null;
  stop?: number | null;
  step?: number | null;
}

export function resolveSlice(op: string, size: number, s: SliceSpec): { start: number; step: number; len: number } {
  const step = s.step ?? 1;
  if (!Number.isInteger(step) || step <= 0) throw new ValueError(`${op}: slice step must be a positive integer, got ${step}`);
  const clampIdx = (v: number) => Math.min(Math.max(v < 0 ? v + size : v, 0), size);
  const start = s.start === null || s.start === undefined ? 0 : clampIdx(s.start);
  const stop = s.stop === null || s.stop === undefined ? size : clampIdx(s.stop);
  return { start, step, len: Math.max(0, Math.ceil((stop - start) / step)) };
}

/** Python slicing of the leading dims: `sliceDims(x, [{start: 1, stop: 3}, {step: 2}])` is `x[1:3, ::2]`. */
export function sliceDims(x: Tensor, specs: readonly (SliceSpec | null)[]): Tensor {
  if (specs.length > x.ndim) throw new IndexError(`slice: too many indices for tensor of dimension ${x.ndim} (got ${specs.length})`);
  const starts: number[] = [];
  const steps: number[] = [];
  const sizes: number[] = [];
  let identity = true;
  for (let d = 0; d < x.ndim; d++) {
    const r = resolveSlice("slice", x.shape[d], specs[d] ?? {});
    starts.push(r.start);
    steps.push(r.step);
    sizes.push(r.len);
    if (r.start !== 0 || r.step !== 1 || r.len !== x.shape[d]) identity = false;
  }
  if (identity) return x;
  return apply("slice", [x], { starts, steps, sizes });
}

/** `length` elements of `dim` from `start` (torch.narrow). */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normDim("narrow", dim, x.ndim);
  const size = x.shape[d];
  const s = start < 0 ? start + size : start;
  if (s < 0 || s > size || length < 0 || s + length > size) {
    throw new IndexError(`narrow: start (${start}) + length (${length}) exceeds dimension size (${size}) of dim ${dim} (shape ${fmtShape(x.shape)})`);
  }
  const specs: (SliceSpec | null)[] = x.shape.map(() => null);
  specs[d] = { start: s, stop: s + length };
  return sliceDims(x, specs);
}

/** The `index`-th entry along `dim`, that dim removed (negative index counts from the end). */
export function select(x: Tensor, dim: number, index: number): Tensor {
  const d = normDim("select", dim, x.ndim);
  const size = x.shape[d];
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw new IndexError(`select: index ${index} is out of bounds for dimension ${d} with size ${size} (shape ${fmtShape(x.shape)})`);
  }
  const i = index < 0 ? index + size : index;
  return squeeze(narrow(x, d, i, 1), d);
}

/** Concatenates along `dim`; all other dims must match. */
export function cat(xs: readonly Tensor[], dim = 0): Tensor {
  if (xs.length === 0) throw new ValueError("cat: expected a non-empty list of tensors");
  const ref = xs[0];
  const d = normDim("cat", dim, ref.ndim);
  xs.forEach((x, i) => {
    if (x.ndim !== ref.ndim) {
      throw new ShapeError(`cat: tensors must have same number of dimensions: got ${ref.ndim} and ${x.ndim} (tensor ${i} has shape ${fmtShape(x.shape)})`);
    }
    for (let k = 0; k < ref.ndim; k++) {
      if (k !== d && x.shape[k] !== ref.shape[k]) {
        throw new ShapeError(`cat: sizes of tensors must match except in dimension ${d}. Expected size ${ref.shape[k]} but got size ${x.shape[k]} for tensor number ${i} in the list (shapes ${fmtShape(ref.shape)} and ${fmtShape(x.shape)})`);
      }
    }
  });
  if (xs.length === 1) return xs[0];
  return apply("cat", xs, { dim: d });
}

/** Stacks along a new dim. */
export function stack(xs: readonly Tensor[], dim = 0): Tensor {
  if (xs.length === 0) throw new ValueError("stack: expected a non-empty list of tensors");
  xs.forEach((x, i) => {
    if (!shapesEqual(x.shape, xs[0].shape)) {
      throw new ShapeError(`stack: expects each tensor to be equal size, but got ${fmtShape(xs[0].shape)} at entry 0 and ${fmtShape(x.shape)} at entry ${i}`);
    }
  });
  const d = normDim("stack", dim, xs[0].ndim + 1);
  return cat(xs.map((x) => unsqueeze(x, d)), d);
}

/** Splits into pieces of `size` (the last may be smaller), or of the given sizes (torch.split). */
export function split(x: Tensor, size: number | readonly number[], dim = 0): Tensor[] {
  const d = normDim("split", dim, x.ndim);
  const n = x.shape[d];
  let sizes: number[];
  if (typeof size === "number") {
    if (!Number.isInteger(size) || size <= 0) throw new ValueError(`split: split size must be a positive integer, got ${size}`);
    sizes = [];
    for (let s = 0; s < n; s += size) sizes.push(Math.min(size, n - s));
    if (n === 0) sizes.push(0);
  } else {
    sizes = size.slice();
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total !== n) throw new ShapeError(`split: split sizes [${sizes.join(", ")}] must sum to the size of dim ${d} (${n}), got ${total}`);
  }
  let at = 0;
  return sizes.map((len) => {
    const t = narrow(x, d, at, len);
    at += len;
    return t;
  });
}

/** Splits into `chunks` pieces of size ceil(n / chunks) (torch.chunk). */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0) throw new ValueError(`chunk: expects chunks to be a positive integer, got ${chunks}`);
  const d = normDim("chunk", dim, x.ndim);
  return split(x, Math.max(1, Math.ceil(x.shape[d] / chunks)), d);
}
