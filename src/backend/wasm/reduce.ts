// float32 sums in wasm SIMD (assembly/reduce.ts) when the reduced axes are one contiguous run
// of dims (all of them, the leading ones for a bias gradient, the last one for a row sum); the
// sum is accumulated in float64 as the JS kernel does. Other reductions run the JS kernels.
import type { TypedArray } from "../../tensor/dtype.js";
import type { Shape } from "../../tensor/shape.js";
import type { ReduceKernel } from "../backend.js";
import { reduce as jsReduce } from "../js/reduce.js";
import { plainRuntime } from "./runtime.js";

/** Below this many input elements the JS loop is as fast as the call and the copy. */
export const MIN_ELEMENTS = 64;

export function reduce(op: ReduceKernel, x: TypedArray, shape: Shape, axes: readonly number[], out: TypedArray): void {
  const n = x.length;
  if (op !== "sum" || n < MIN_ELEMENTS || !(x instanceof Float32Array) || !(out instanceof Float32Array)) {
    jsReduce(op, x, shape, axes, out);
    return;
  }
  // View x as [outer, r, inner] with the reduced axes (ignoring size-1 ones) forming r.
  let first = -1;
  let last = -1;
  let contiguous = true;
  for (let i = 0; i < axes.length; i++) {
    const ax = axes[i];
    if (shape[ax] === 1) continue;
    if (first < 0) first = ax;
    else for (let d = last + 1; d < ax; d++) if (shape[d] !== 1) contiguous = false;
    last = ax;
  }
  const rt = contiguous ? plainRuntime() : null;
  if (rt === null) {
    jsReduce(op, x, shape, axes, out);
    return;
  }
  let outer = 1;
  let r = 1;
  let inner = 1;
  if (first < 0) {
    inner = n; // only size-1 axes reduced: a copy
  } else {
    for (let d = 0; d < first; d++) outer *= shape[d];
    for (let d = first; d <= last; d++) r *= shape[d];
    for (let d = last + 1; d < shape.length; d++) inner *= shape[d];
  }
  // One reservation: output first (a fixed offset, so the runtime's cached output view serves every call),
  // then the f64 accumulators, then x; each 16-byte aligned.
  const ob = (out.length * 4 + 15) & ~15;
  const accb = (inner * 8 + 15) & ~15;
  rt.reset();
  const po = rt.alloc(ob + accb + n * 4);
  if (po < 0) {
    jsReduce(op, x, shape, axes, out);
    return;
  }
  const acc = po + ob;
  const px = acc + accb;
  rt.putAt(px, x);
  rt.kernels.sumAxis(px, outer, r, inner, po, acc);
  rt.getTo(po, out, 0, out.length);
}

/**
 * Σ a[p]·b[p] of two contiguous float32 vectors of k elements in float64 (a matrix product with
 * one output: the weight gradient of a one-input linear layer, [1,k]·[k,1]); null where the
 * wasm memory cannot hold them.
 */
export function dot(a: Float32Array, b: Float32Array, k: number): number | null {
  const rt = plainRuntime();
  if (rt === null) return null;
  const bytes = (k * 4 + 15) & ~15;
  rt.reset();
  const pa = rt.alloc(b === a ? bytes : 2 * bytes);
  if (pa < 0) return null;
  const pb = b === a ? pa : pa + bytes;
  rt.putAt(pa, a.length === k ? a : a.subarray(0, k));
  if (b !== a) rt.putAt(pb, b.length === k ? b : b.subarray(0, k));
  return rt.kernels.dotF32(pa, pb, k);
}
