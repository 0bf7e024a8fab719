// float32 elementwise kernels in wasm SIMD (assembly/elementwise.ts) for the ops where the
// result is bit-identical to the JS kernel's: + − × ÷ max min are correctly rounded in both
// (f64-then-round equals f32 for a single op), neg/abs/sqrt/relu/square/reciprocal likewise, and
// comparisons (to bool bytes) are exact.
// Other ops, other dtypes and small arrays run the JS kernels.
import type { TypedArray } from "../../tensor/dtype.js";
import type { Shape } from "../../tensor/shape.js";
import type { BinaryKernel, UnaryKernel } from "../backend.js";
import { binary as jsBinary, broadcastStrides, unary as jsUnary } from "../js/elementwise.js";
import { plainRuntime } from "./runtime.js";

// Op codes of assembly/elementwise.ts.
const BINARY_CODE: Partial<Record<BinaryKernel, number>> = { add: 0, sub: 1, mul: 2, div: 3, maximum: 4, minimum: 5 };
/** Comparisons of float32 operands, written as bool bytes (relu's backward mask, for one). */
const COMPARE_CODE: Partial<Record<BinaryKernel, number>> = { eq: 0, ne: 1, lt: 2, le: 3, gt: 4, ge: 5 };
const UNARY_CODE: Partial<Record<UnaryKernel, number>> = { neg: 0, abs: 1, sqrt: 2, relu: 3, square: 4, reciprocal: 5 };

/**
 * Below this many output elements the JS loop is as fast as the call and the copies (measured
 * per call: wasm ~150 ns fixed + 0.4 ns per element, JS ~2 ns per element for + − × ÷).
 */
const MIN_ELEMENTS = 128;

export function unary(op: UnaryKernel, x: TypedArray, out: TypedArray, p0: number, p1: number): void {
  const n = out.length;
  const code = n < MIN_ELEMENTS ? undefined : UNARY_CODE[op];
  if (code === undefined || !(x instanceof Float32Array) || !(out instanceof Float32Array)) {
    jsUnary(op, x, out, p0, p1);
    return;
  }
  const rt = plainRuntime();
  if (rt !== null) {
    rt.reset();
    const px = rt.put(x);
    const po = rt.alloc(n * 4);
    if (px >= 0 && po >= 0) {
      rt.kernels.unary(code, px, po, n);
      rt.get(po, out);
      return;
    }
  }
  jsUnary(op, x, out, p0, p1);
}

/**
 * Merges adjacent dims of the output whose strides in both operands are contiguous with each
 * other, so e.g. [B, C, H, W] + [C, 1, 1] becomes [B, C, H·W] and [N, M] + [M] stays [N, M].
 */
function coalesce(shape: Shape, sa: number[], sb: number[]): { dims: number[]; sa: number[]; sb: number[] } {
  const dims: number[] = [];
  const ra: number[] = [];
  const rb: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && ra[last] === sa[d] * shape[d] && rb[last] === sb[d] * shape[d]) {
      dims[last] *= shape[d];
      ra[last] = sa[d];
      rb[last] = sb[d];
    } else {
      dims.push(shape[d]);
      ra.push(sa[d]);
      rb.push(sb[d]);
    }
  }
  return { dims, sa: ra, sb: rb };
}

export function binary(op: BinaryKernel, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, out: TypedArray, outShape: Shape): void {
  const n = out.length;
  if (n < MIN_ELEMENTS) {
    // First, so tiny eager ops (the 1-element add of W3) pay one comparison for this backend.
    jsBinary(op, a, aShape, b, bShape, out, outShape);
    return;
  }
  const compare = out instanceof Uint8Array;
  const code = compare ? COMPARE_CODE[op] : out instanceof Float32Array ? BINARY_CODE[op] : undefined;
  if (code === undefined || !(a instanceof Float32Array) || !(b instanceof Float32Array)) {
    jsBinary(op, a, aShape, b, bShape, out, outShape);
    return;
  }
  // Broadcasting as [outer…, rows, cols] with column strides 0 or 1.
  let dims: number[];
  let sa: number[];
  let sb: number[];
  if (a.length === n && b.length === n) ({ dims, sa, sb } = { dims: [n], sa: [1], sb: [1] });
  else if (b.length === 1 && a.length === n) ({ dims, sa, sb } = { dims: [n], sa: [1], sb: [0] });
  else if (a.length === 1 && b.length === n) ({ dims, sa, sb } = { dims: [n], sa: [0], sb: [1] });
  else ({ dims, sa, sb } = coalesce(outShape, broadcastStrides(aShape, outShape), broadcastStrides(bShape, outShape)));
  const nd = dims.length;
  const rt = nd === 0 || sa[nd - 1] > 1 || sb[nd - 1] > 1 ? null : plainRuntime();
  if (rt === null) {
    jsBinary(op, a, aShape, b, bShape, out, outShape);
    return;
  }
  rt.reset();
  const pa = rt.put(a);
  const pb = b === a ? pa : rt.put(b);
  const osize = compare ? 1 : 4;
  const po = rt.alloc(n * osize);
  if (pa < 0 || pb < 0 || po < 0) {
    jsBinary(op, a, aShape, b, bShape, out, outShape);
    return;
  }
  const cols = dims[nd - 1];
  const rows = nd >= 2 ? dims[nd - 2] : 1;
  const ars = nd >= 2 ? sa[nd - 2] : 0;
  const brs = nd >= 2 ? sb[nd - 2] : 0;
  const block = rows * cols;
  const outer = n / block;
  const kernel = compare ? rt.kernels.compare2d : rt.kernels.binary2d;
  if (outer === 1) {
    kernel(code, pa, ars, sa[nd - 1], pb, brs, sb[nd - 1], po, rows, cols);
  } else {
    // Odometer over the leading dims, one 2-D block per step.
    const lead = nd - 2;
    const idx = new Array<number>(lead).fill(0);
    let oa = 0;
    let ob = 0;
    for (let i = 0; i < outer; i++) {
      kernel(code, pa + oa * 4, ars, sa[nd - 1], pb + ob * 4, brs, sb[nd - 1], po + i * block * osize, rows, cols);
      for (let d = lead - 1; d >= 0; d--) {
        idx[d]++;
        oa += sa[d];
        ob += sb[d];
        if (idx[d] < dims[d]) break;
        oa -= sa[d] * idx[d];
        ob -= sb[d] * idx[d];
        idx[d] = 0;
      }
    }
  }
  if (compare) rt.getBytes(po, out as Uint8Array);
  else rt.get(po, out as Float32Array);
}
