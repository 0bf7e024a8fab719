// float32 elementwise kernels in wasm SIMD (assembly/elementwise.ts) for the ops where the
// result is bit-identical to the JS kernel's: + − × ÷ max min are correctly rounded in both
// (f64-then-round equals f32 for a single op), neg/abs/sqrt/relu/square/reciprocal likewise,
// comparisons (to bool bytes) are exact, relu_backward only selects, and square_backward's
// g·(2x) is one rounding of an exact product, as the JS kernel's.
// Other ops, other dtypes and small arrays run the JS kernels.
import type { TypedArray } from "../../tensor/dtype.js";
import type { Shape } from "../../tensor/shape.js";
import type { BinaryKernel, UnaryKernel } from "../backend.js";
import { addScaled as jsAddScaled, binary as jsBinary, broadcastStrides, unary as jsUnary } from "../js/elementwise.js";
import { plainRuntime, type WasmRuntime } from "./runtime.js";

// Op codes of assembly/elementwise.ts.
const BINARY_CODE: Partial<Record<BinaryKernel, number>> = { add: 0, sub: 1, mul: 2, div: 3, maximum: 4, minimum: 5, relu_backward: 6, square_backward: 7 };
/** assembly/elementwise.ts's code for 0 + a·b (a product with one term per output). */
const OUTER_CODE = 8;
/** Comparisons of float32 operands, written as bool bytes (relu's backward mask, for one). */
const COMPARE_CODE: Partial<Record<BinaryKernel, number>> = { eq: 0, ne: 1, lt: 2, le: 3, gt: 4, ge: 5 };
const UNARY_CODE: Partial<Record<UnaryKernel, number>> = { neg: 0, abs: 1, sqrt: 2, relu: 3, square: 4, reciprocal: 5 };

// Below these many output elements the JS kernels are as fast as the call and the copies.
// Measured per call (Node 20, float32, polymorphic warm-up, JS → wasm ns), e.g. a + b:
// 48: 99 → 111, 64: 129 → 113, 128: 236 → 131; a · scalar: 64: 101 → 112, 96: 138 → 123;
// a > b: 64: 127 → 130, 96: 183 → 141; square: 32: 53 → 68, 48: 74 → 72, 64: 96 → 74;
// relu: 32: 62 → 70, 48: 87 → 78. The wasm side is ~100 ns fixed (arena, copy in, kernel
// call, copy out) + ~0.3 ns per element; the JS loops ~1.8 ns per element (V8 reloads typed
// array bases per access in loops over arrays it cannot prove distinct).
const MIN_BINARY = 64;
/** With one operand a single value (x·2, x + bias) the JS loop reads one array: ~1.4 ns per element. */
const MIN_BINARY_SCALAR = 96;
const MIN_UNARY = 48;
/**
 * maximum/minimum keep their earlier threshold: f32x4.max/min order −0 below +0 where the JS
 * kernel returns its second operand on a tie, so moving the threshold would change the sign of
 * a zero result at these sizes.
 */
const MIN_EXTREMUM = 128;
/** Not re-measured (optimizer updates of parameters of this size and up). */
const MIN_ADD_SCALED = 128;

/**
 * Large operands stream through the wasm memory in chunks of this many output elements: copy a
 * chunk of each input in, run the kernel, copy the chunk out. The chunks (3 × 64 KiB) stay in
 * L2 between the copies and the kernel, so main memory sees each input read once and the output
 * written once; copying whole 4 MB arrays in, then out, tripled the memory traffic (measured on
 * a*b at 1M floats: 1.9 ms whole, see bench W6).
 */
const CHUNK = 16384;

export function unary(op: UnaryKernel, x: TypedArray, out: TypedArray, p0: number, p1: number): void {
  const n = out.length;
  const code = n < MIN_UNARY ? undefined : UNARY_CODE[op];
  if (code === undefined || !(x instanceof Float32Array) || !(out instanceof Float32Array)) {
    jsUnary(op, x, out, p0, p1);
    return;
  }
  const rt = plainRuntime();
  if (rt !== null) {
    rt.reset();
    const len = n < CHUNK ? n : CHUNK;
    const po = rt.alloc(len * 8 + 16);
    if (po >= 0) {
      const px = po + ((len * 4 + 15) & ~15);
      for (let s = 0; s < n; s += CHUNK) {
        const e = Math.min(n, s + CHUNK);
        rt.putAt(px, e - s === n ? x : x.subarray(s, e));
        rt.kernels.unary(code, px, po, e - s);
        rt.getTo(po, out, s, e - s);
      }
      return;
    }
  }
  jsUnary(op, x, out, p0, p1);
}

const ALPHA = new Float32Array(1);

/**
 * out = a + alpha·b in float32 (the SGD update `p.add_(g, -lr)`): per chunk, a and b go in, the
 * wasm kernels multiply then add (each rounded, as the two ops apart), the sum comes out. Against
 * mul then add_: three copies instead of five, and no temporary the size of the parameter to
 * allocate (measured on a 256×784 float32 parameter: 335 µs to 130).
 */
export function addScaled(a: TypedArray, b: TypedArray, alpha: number, out: TypedArray): void {
  const n = out.length;
  if (n < MIN_ADD_SCALED || !(a instanceof Float32Array) || !(b instanceof Float32Array) || !(out instanceof Float32Array)) {
    jsAddScaled(a, b, alpha, out);
    return;
  }
  const rt = plainRuntime();
  if (rt !== null) {
    rt.reset();
    const len = Math.min(n, CHUNK);
    const pa = rt.alloc(len * 4);
    const pb = rt.alloc(len * 4);
    const ps = rt.alloc(4);
    if (pa >= 0 && pb >= 0 && ps >= 0) {
      ALPHA[0] = alpha;
      rt.putAt(ps, ALPHA);
      const mul = BINARY_CODE.mul!;
      const add = BINARY_CODE.add!;
      for (let s = 0; s < n; s += CHUNK) {
        const e = Math.min(n, s + CHUNK);
        rt.putAt(pa, e - s === n ? a : a.subarray(s, e));
        rt.putAt(pb, e - s === n ? b : b.subarray(s, e));
        // In place in the arena (the kernels load each vector before storing it): two chunks
        // stay in L2 where four did not.
        rt.kernels.binary2d(mul, pb, 0, 1, ps, 0, 0, pb, 1, e - s);
        rt.kernels.binary2d(add, pa, 0, 1, pb, 0, 1, pa, 1, e - s);
        rt.getTo(pa, out, s, e - s);
      }
      return;
    }
  }
  jsAddScaled(a, b, alpha, out);
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
  if (n < MIN_BINARY) {
    // First, so tiny eager ops (the 1-element add of W3) pay one comparison for this backend.
    jsBinary(op, a, aShape, b, bShape, out, outShape);
    return;
  }
  const compare = out instanceof Uint8Array;
  const code = compare ? COMPARE_CODE[op] : out instanceof Float32Array && (n >= MIN_EXTREMUM || (op !== "maximum" && op !== "minimum")) ? BINARY_CODE[op] : undefined;
  if (code === undefined || !(a instanceof Float32Array) || !(b instanceof Float32Array)) {
    jsBinary(op, a, aShape, b, bShape, out, outShape);
    return;
  }
  // Each operand whole or one value (the common case): one flat stream, no bookkeeping.
  const ai = a.length === n ? 1 : a.length === 1 ? 0 : -1;
  const bi = b.length === n ? 1 : b.length === 1 ? 0 : -1;
  if (ai >= 0 && bi >= 0) {
    const rt = ai === 0 || bi === 0 ? (n < MIN_BINARY_SCALAR ? null : plainRuntime()) : plainRuntime();
    if (rt === null || !streamFlat(rt, code, compare, a, ai, b, bi, out, n)) jsBinary(op, a, aShape, b, bShape, out, outShape);
    return;
  }
  // Broadcasting as [outer…, rows, cols] with column strides 0 or 1.
  const { dims, sa, sb } = coalesce(outShape, broadcastStrides(aShape, outShape), broadcastStrides(bShape, outShape));
  const nd = dims.length;
  const rt = nd === 0 || sa[nd - 1] > 1 || sb[nd - 1] > 1 ? null : plainRuntime();
  if (rt === null) {
    jsBinary(op, a, aShape, b, bShape, out, outShape);
    return;
  }
  const cols = dims[nd - 1];
  const rows = nd >= 2 ? dims[nd - 2] : 1;
  const block = rows * cols;
  const outer = n / block;
  if (outer === 1 && (nd === 1 ? streamFlat(rt, code, compare, a, sa[0], b, sb[0], out, n) : streamRows(rt, code, compare, a, sa[0], sa[1], b, sb[0], sb[1], out, rows, cols))) return;
  if (!wholeArrays(rt, code, compare, a, b, out, dims, sa, sb)) jsBinary(op, a, aShape, b, bShape, out, outShape);
}

/**
 * out = a·b for a [m, 1] column and a [1, n] row (matmul with k = 1: x @ w of a one-input linear
 * layer), contiguous, as 0 + a[i]·b[j] like the JS kernel's dot; false where it did not run.
 */
export function outer(a: Float32Array, b: Float32Array, out: Float32Array, m: number, n: number): boolean {
  const rt = plainRuntime();
  if (rt === null) return false;
  const av = a.length === m ? a : a.subarray(0, m);
  const bv = b.length === n ? b : b.subarray(0, n);
  if (n === 1) return streamFlat(rt, OUTER_CODE, false, av, 1, bv, 0, out, m);
  if (m === 1) return streamFlat(rt, OUTER_CODE, false, av, 0, bv, 1, out, n);
  return streamRows(rt, OUTER_CODE, false, av, 1, 0, bv, 0, 1, out, m, n);
}

/** Copies an output chunk of `len` elements at byte offset `at` to out[start…]. */
function getChunk(rt: WasmRuntime, compare: boolean, at: number, out: TypedArray, start: number, len: number): void {
  if (compare) rt.getBytesTo(at, out as Uint8Array, start, len);
  else rt.getTo(at, out as Float32Array, start, len);
}

/** out = a op b over n elements, each operand contiguous (stride 1) or one value (stride 0). */
function streamFlat(rt: WasmRuntime, code: number, compare: boolean, a: Float32Array, ai: number, b: Float32Array, bi: number, out: TypedArray, n: number): boolean {
  const osize = compare ? 1 : 4;
  const len = n < CHUNK ? n : CHUNK;
  // One reservation for the three regions (each 16-byte aligned), output first so that its
  // offset, and so the cached view that copies it out, is the same for every call.
  const same = b === a && ai === bi;
  const ob = (len * osize + 15) & ~15;
  const ab = ai === 0 ? 16 : (len * 4 + 15) & ~15;
  rt.reset();
  const po = rt.alloc(ob + ab + (same ? 0 : bi === 0 ? 16 : len * 4));
  if (po < 0) return false;
  // (Read after the allocation: it may have replaced the instance, see runtime.ts.)
  const kernel = compare ? rt.kernels.compare2d : rt.kernels.binary2d;
  const pa = po + ob;
  const pb = same ? pa : pa + ab;
  if (ai === 0) rt.putAt(pa, a);
  if (bi === 0 && !same) rt.putAt(pb, b);
  for (let s = 0; s < n; s += CHUNK) {
    const e = Math.min(n, s + CHUNK);
    if (ai !== 0) rt.putAt(pa, e - s === n ? a : a.subarray(s, e));
    if (bi !== 0 && !same) rt.putAt(pb, e - s === n ? b : b.subarray(s, e));
    kernel(code, pa, 0, ai, pb, 0, bi, po, 1, e - s);
    getChunk(rt, compare, po, out, s, e - s);
  }
  return true;
}

/**
 * out[r, c] = a[r·ars + c·ai] op b[r·brs + c·bi] (out contiguous, rows × cols), a few rows at a
 * time. An operand with row stride 0 (a bias row, a scalar) is copied in once.
 */
function streamRows(
  rt: WasmRuntime, code: number, compare: boolean,
  a: Float32Array, ars: number, ai: number, b: Float32Array, brs: number, bi: number,
  out: TypedArray, rows: number, cols: number,
): boolean {
  const osize = compare ? 1 : 4;
  const step = Math.max(1, Math.floor(CHUNK / cols));
  const nr = Math.min(rows, step);
  // Elements of an operand that rows [r, r + k) read.
  const span = (rs: number, cs: number, k: number) => (k - 1) * rs + (cols - 1) * cs + 1;
  rt.reset();
  const pa = rt.alloc(span(ars, ai, nr) * 4);
  const pb = rt.alloc(span(brs, bi, nr) * 4);
  const po = rt.alloc(nr * cols * osize);
  if (pa < 0 || pb < 0 || po < 0) return false;
  const kernel = compare ? rt.kernels.compare2d : rt.kernels.binary2d;
  if (ars === 0) rt.putAt(pa, a.length === span(0, ai, 1) ? a : a.subarray(0, span(0, ai, 1)));
  if (brs === 0) rt.putAt(pb, b.length === span(0, bi, 1) ? b : b.subarray(0, span(0, bi, 1)));
  for (let r = 0; r < rows; r += step) {
    const k = Math.min(step, rows - r);
    if (ars !== 0) rt.putAt(pa, a.subarray(r * ars, r * ars + span(ars, ai, k)));
    if (brs !== 0) rt.putAt(pb, b.subarray(r * brs, r * brs + span(brs, bi, k)));
    kernel(code, pa, ars, ai, pb, brs, bi, po, k, cols);
    getChunk(rt, compare, po, out, r * cols, k * cols);
  }
  return true;
}

/** The general case (more than two dims after coalescing): whole operands in, one 2-D block per step. */
function wholeArrays(rt: WasmRuntime, code: number, compare: boolean, a: Float32Array, b: Float32Array, out: TypedArray, dims: number[], sa: number[], sb: number[]): boolean {
  const n = out.length;
  const nd = dims.length;
  rt.reset();
  const pa = rt.put(a);
  const pb = b === a ? pa : rt.put(b);
  const osize = compare ? 1 : 4;
  const po = rt.alloc(n * osize);
  if (pa < 0 || pb < 0 || po < 0) return false;
  const cols = dims[nd - 1];
  const rows = nd >= 2 ? dims[nd - 2] : 1;
  const ars = nd >= 2 ? sa[nd - 2] : 0;
  const brs = nd >= 2 ? sb[nd - 2] : 0;
  const block = rows * cols;
  const outer = n / block;
  const kernel = compare ? rt.kernels.compare2d : rt.kernels.binary2d;
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
  if (compare) rt.getBytes(po, out as Uint8Array);
  else rt.get(po, out as Float32Array);
  return true;
}
