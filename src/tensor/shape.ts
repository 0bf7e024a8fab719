import { ShapeError, IndexError } from "./errors.js";

export type Shape = readonly number[];

export function numel(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

/** Row-major (C order) strides in elements. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `[2, 3]` → `"[2, 3]"`, as PyTorch prints shapes in messages. */
export function fmtShape(s: Shape): string {
  return `[${s.join(", ")}]`;
}

/** NumPy broadcasting of two shapes; `op` names the caller in the error. */
export function broadcastShapes(op: string, a: Shape, b: Shape): Shape {
  // Shapes are never mutated once made, so an unchanged one is shared rather than copied.
  if (shapesEqual(a, b)) return a;
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(
        `${op}: the size of tensor a (${da}) must match the size of tensor b (${db}) at non-singleton dimension ${i} (shapes ${fmtShape(a)} and ${fmtShape(b)})`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Wraps a possibly negative dim into [0, ndim); errors name the op and the valid range. */
export function normDim(op: string, dim: number, ndim: number): number {
  const n = Math.max(ndim, 1);
  if (!Number.isInteger(dim) || dim < -n || dim >= n) {
    throw new IndexError(`${op}: dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`);
  }
  return dim < 0 ? dim + n : dim;
}

/** Normalises a dim list (or null for all dims) into sorted unique non-negative dims. */
export function normDims(op: string, dims: number | readonly number[] | null | undefined, ndim: number): number[] {
  if (dims === null || dims === undefined) {
    const all = new Array<number>(ndim);
    for (let i = 0; i < ndim; i++) all[i] = i;
    return all;
  }
  const list = typeof dims === "number" ? [dims] : dims;
  // Usual case (a reduction's own dims passed on, sumTo's list): already sorted, unique and in
  // range. Checked and copied without the Set and sort below; anything else takes that path.
  if (ndim > 0) {
    const out = new Array<number>(list.length);
    let ok = true;
    for (let i = 0; i < list.length && ok; i++) {
      const d = list[i];
      const nd = d < 0 ? d + ndim : d;
      ok = Number.isInteger(d) && nd >= 0 && nd < ndim && (i === 0 || nd > out[i - 1]);
      out[i] = nd;
    }
    if (ok) return out;
  }
  const seen = new Set<number>();
  for (const d of list) {
    // A 0-d tensor accepts dim 0 or -1 and has nothing to reduce, as in PyTorch.
    const nd = normDim(op, d, ndim);
    if (ndim === 0) continue;
    if (seen.has(nd)) throw new IndexError(`${op}: dim ${nd} appears multiple times in the list of dims`);
    seen.add(nd);
  }
  return [...seen].sort((x, y) => x - y);
}

/** Resolves one -1 in a target shape against `n` elements. */
export function inferShape(op: string, from: Shape, target: readonly number[]): number[] {
  const n = numel(from);
  let neg = -1;
  let known = 1;
  for (let i = 0; i < target.length; i++) {
    const d = target[i];
    if (d === -1) {
      if (neg >= 0) throw new ShapeError(`${op}: only one dimension can be inferred (shape ${fmtShape(target)})`);
      neg = i;
    } else if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${op}: invalid shape dimension ${d} in ${fmtShape(target)}`);
    } else known *= d;
  }
  const out = target.slice();
  if (neg >= 0) {
    if (known === 0 || n % known !== 0) {
      throw new ShapeError(`${op}: shape '${fmtShape(target)}' is invalid for input of size ${n}`);
    }
    out[neg] = n / known;
  } else if (known !== n) {
    throw new ShapeError(`${op}: shape '${fmtShape(target)}' is invalid for input of size ${n}`);
  }
  return out;
}
