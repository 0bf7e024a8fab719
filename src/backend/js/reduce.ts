import type { TypedArray } from "../../tensor/dtype.js";
import type { Shape } from "../../tensor/shape.js";
import type { ReduceKernel } from "../backend.js";

const INIT: Record<ReduceKernel, number> = { sum: 0, prod: 1, max: -Infinity, min: Infinity, any: 0, all: 1 };

/** The sum of a whole float32 array, in a loop that only sees Float32Arrays (monomorphic loads). */
function sumF32(x: Float32Array): number {
  let a = 0;
  for (let i = 0; i < x.length; i++) a += x[i];
  return a;
}

/** Whether `axes` (sorted, unique) are exactly the last dims of an `nd`-dim shape. */
function trailing(axes: readonly number[], nd: number): boolean {
  if (axes.length === 0) return false;
  for (let i = 0; i < axes.length; i++) if (axes[i] !== nd - axes.length + i) return false;
  return true;
}

/**
 * Reduction of each contiguous row of `len` elements (the trailing axes: a softmax's max or sum
 * over classes), row by row instead of the general odometer below; same order, same values.
 */
function reduceRows(op: ReduceKernel, x: TypedArray, len: number, out: TypedArray): void {
  for (let o = 0, base = 0; o < out.length; o++, base += len) {
    let a = INIT[op];
    const end = base + len;
    switch (op) {
      case "sum": for (let i = base; i < end; i++) a += x[i]; break;
      case "prod": for (let i = base; i < end; i++) a *= x[i]; break;
      case "max": for (let i = base; i < end; i++) { const v = x[i]; if (v > a || v !== v) a = a !== a ? a : v; } break;
      case "min": for (let i = base; i < end; i++) { const v = x[i]; if (v < a || v !== v) a = a !== a ? a : v; } break;
      case "any": for (let i = base; i < end; i++) if (x[i]) a = 1; break;
      case "all": for (let i = base; i < end; i++) if (!x[i]) a = 0; break;
    }
    out[o] = a;
  }
}

// Accumulates in float64 (more accurate than float32 pairwise sums) then stores into out.
export function reduce(op: ReduceKernel, x: TypedArray, shape: Shape, axes: readonly number[], out: TypedArray): void {
  if (op === "sum" && out.length === 1 && x instanceof Float32Array) {
    out[0] = sumF32(x);
    return;
  }
  const nd = shape.length;
  if (out.length > 1 && trailing(axes, nd)) {
    reduceRows(op, x, x.length / out.length, out);
    return;
  }
  const m = out.length;
  const n = x.length;
  if (m === 1) {
    let a = INIT[op];
    switch (op) {
      case "sum": for (let i = 0; i < n; i++) a += x[i]; break;
      case "prod": for (let i = 0; i < n; i++) a *= x[i]; break;
      case "max": for (let i = 0; i < n; i++) { const v = x[i]; if (v > a || v !== v) a = v; if (a !== a) break; } break;
      case "min": for (let i = 0; i < n; i++) { const v = x[i]; if (v < a || v !== v) a = v; if (a !== a) break; } break;
      case "any": for (let i = 0; i < n; i++) if (x[i]) { a = 1; break; } break;
      case "all": for (let i = 0; i < n; i++) if (!x[i]) { a = 0; break; } break;
    }
    out[0] = a;
    return;
  }
  const reduced = new Array<boolean>(nd).fill(false);
  for (const a of axes) reduced[a] = true;
  // Out stride of each input dim (0 for reduced dims).
  const ostr = new Array<number>(nd).fill(0);
  let acc = 1;
  for (let d = nd - 1; d >= 0; d--) {
    if (!reduced[d]) {
      ostr[d] = acc;
      acc *= shape[d];
    }
  }
  const accum = new Float64Array(m).fill(INIT[op]);
  const idx = new Array<number>(nd).fill(0);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    const a = accum[o];
    switch (op) {
      case "sum": accum[o] = a + v; break;
      case "prod": accum[o] = a * v; break;
      case "max": if (v > a || v !== v) accum[o] = a !== a ? a : v; break;
      case "min": if (v < a || v !== v) accum[o] = a !== a ? a : v; break;
      case "any": if (v) accum[o] = 1; break;
      case "all": if (!v) accum[o] = 0; break;
    }
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]++;
      o += ostr[d];
      if (idx[d] < shape[d]) break;
      o -= ostr[d] * idx[d];
      idx[d] = 0;
    }
  }
  for (let j = 0; j < m; j++) out[j] = accum[j];
}

/** `shape` viewed as [outer, r, inner] around `axis` (a 0-d shape is [1, 1, 1]). */
function aroundAxis(shape: Shape, axis: number): [outer: number, r: number, inner: number] {
  let outer = 1;
  for (let d = 0; d < axis; d++) outer *= shape[d];
  const r = shape.length === 0 ? 1 : shape[axis];
  let inner = 1;
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d];
  return [outer, r, inner];
}

export function argReduce(op: "argmax" | "argmin", x: TypedArray, shape: Shape, axis: number, out: TypedArray): void {
  const [outer, r, inner] = aroundAxis(shape, axis);
  const max = op === "argmax";
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * r * inner + j;
      let best = x[base];
      let bi = 0;
      for (let k = 1; k < r && best === best; k++) {
        const v = x[base + k * inner];
        if (v !== v || (max ? v > best : v < best)) {
          best = v;
          bi = k;
        }
      }
      out[o * inner + j] = bi;
    }
  }
}

export function cumsum(x: TypedArray, shape: Shape, axis: number, reverse: boolean, out: TypedArray): void {
  const [outer, r, inner] = aroundAxis(shape, axis);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * r * inner + j;
      let s = 0;
      if (reverse) {
        for (let k = r - 1; k >= 0; k--) {
          s += x[base + k * inner];
          out[base + k * inner] = s;
        }
      } else {
        for (let k = 0; k < r; k++) {
          s += x[base + k * inner];
          out[base + k * inner] = s;
        }
      }
    }
  }
}
