import type { TypedArray } from "../../tensor/dtype.js";
import type { Shape } from "../../tensor/shape.js";
import type { ReduceKernel } from "../backend.js";

const INIT: Record<ReduceKernel, number> = { sum: 0, prod: 1, max: -Infinity, min: Infinity, any: 0, all: 1 };

// Accumulates in float64 (more accurate than float32 pairwise sums) then stores into out.
export function reduce(op: ReduceKernel, x: TypedArray, shape: Shape, axes: readonly number[], out: TypedArray): void {
  const nd = shape.length;
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
  const m = out.length;
  const accum = new Float64Array(m).fill(INIT[op]);
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
