// float32 matrix products on the packed f32x4 kernel (assembly/matmul.ts), split over worker
// threads when large; everything else (float64, int32, tiny products) runs the JS kernel.
import type { TypedArray } from "../../tensor/dtype.js";
import type { MatmulLayout } from "../backend.js";
import { matmul as jsMatmul } from "../js/matmul.js";
import { outer } from "./elementwise.js";
import { dot } from "./reduce.js";
import { plainRuntime, sharedRuntime, type WasmRuntime } from "./runtime.js";
import { getNumThreads, readyWorkers, type Pool } from "./threads.js";

/**
 * The JS kernel runs products of fewer multiply-adds than this, or with fewer output elements
 * than MIN_OUTPUTS (small dot-product shapes, where packing mostly padded 4×8 tiles costs more
 * than the scalar loop: 1.8 µs against 0.4 at [1,200]·[200,1]; from MIN_VECTOR elements those
 * run the dot kernel below). Measured: wasm wins from 8×8×8 (0.19 µs against 1.0).
 */
const MIN_MACS = 256;
const MIN_OUTPUTS = 16;
/** From this many multiply-adds per matrix (~0.2 ms on one thread), a product is split over threads. */
const THREAD_MACS = 1 << 22;
/** A thread's slice is at least this many rows or columns, so tiles stay full. */
const MIN_SLICE = 32;

let threaded = 0;
/** How many products ran split over threads so far (for tests and benchmarks). */
export function threadedProducts(): number {
  return threaded;
}

/**
 * Products with one term per output (k = 1) or one output (m = n = 1) of at least this many
 * elements go to the elementwise and dot kernels instead (no packing): W1's x @ w, [200,1]·[1,1],
 * 400 → 180 ns, and its gradient [1,200]·[200,1] 330 → 190 ns (kernel calls, Node 20).
 */
const MIN_VECTOR = 64;

export function matmul(a: TypedArray, b: TypedArray, out: TypedArray, l: MatmulLayout): void {
  const { m, k, n } = l;
  if ((k === 1 || (m === 1 && n === 1)) && l.aOffsets.length === 1 && m * k * n >= MIN_VECTOR && vectorProduct(a, b, out, m, k, n)) return;
  if (m * k * n < MIN_MACS || m * n < MIN_OUTPUTS || !(a instanceof Float32Array) || !(b instanceof Float32Array) || !(out instanceof Float32Array)) {
    jsMatmul(a, b, out, l);
    return;
  }
  // Large products go to the shared memory once its workers are up; the rest to the plain one.
  const threads = Math.min(getNumThreads(), Math.floor(Math.max(m, n) / MIN_SLICE));
  let rt: WasmRuntime | null = null;
  let pool: Pool | null = null;
  if (threads > 1 && m * n * k >= THREAD_MACS) {
    const s = sharedRuntime();
    pool = s === null ? null : readyWorkers(s, threads - 1);
    if (pool !== null) rt = s;
  }
  rt ??= plainRuntime();
  if (rt === null || !product(rt, pool, threads, a, b, out, l)) jsMatmul(a, b, out, l);
}

/**
 * An unbatched product as an outer product (k = 1) or a dot product (m = n = 1): both operands
 * are then contiguous vectors whatever the transpose flags. False where it did not run.
 */
function vectorProduct(a: TypedArray, b: TypedArray, out: TypedArray, m: number, k: number, n: number): boolean {
  if (!(a instanceof Float32Array) || !(b instanceof Float32Array) || !(out instanceof Float32Array)) return false;
  if (k === 1) return outer(a, b, out, m, n);
  const s = dot(a, b, k);
  if (s === null) return false;
  out[0] = s;
  return true;
}

function product(rt: WasmRuntime, pool: Pool | null, threads: number, a: Float32Array, b: Float32Array, out: Float32Array, l: MatmulLayout): boolean {
  const { m, k, n, transA, transB } = l;
  rt.reset();
  const pa = rt.put(a);
  const pb = b === a ? pa : rt.put(b);
  const pc = rt.alloc(out.length * 4);
  if (pa < 0 || pb < 0 || pc < 0) return false; // beyond the wasm memory: the JS kernel copes
  // Element strides of A (i, p) and B (p, j) in their stored layouts.
  const ars = transA ? 1 : k;
  const acs = transA ? m : 1;
  const brs = transB ? 1 : n;
  const bcs = transB ? k : 1;
  const batches = l.aOffsets.length;
  for (let bi = 0; bi < batches; bi++) {
    const ao = pa + l.aOffsets[bi] * 4;
    const bo = pb + l.bOffsets[bi] * 4;
    const co = pc + bi * m * n * 4;
    if (pool === null) rt.kernels.sgemm(m, n, k, ao, ars, acs, bo, brs, bcs, co, n, 0, rt.scratch(0));
    else parallel(rt, pool, threads, m, n, k, ao, ars, acs, bo, brs, bcs, co);
  }
  rt.get(pc, out);
  return true;
}

/**
 * From this many multiply-adds a product is cut into two chunks per thread instead of one: the
 * finer split balances better (threads claim chunks as they come free), but every chunk packs the
 * whole of the other operand, which only large products repay.
 */
const FINE_MACS = 1 << 26;

/** One product C = A·B (C contiguous, m×n) split over the caller and `threads - 1` workers. */
function parallel(rt: WasmRuntime, pool: Pool, threads: number, m: number, n: number, k: number, a: number, ars: number, acs: number, b: number, brs: number, bcs: number, c: number): void {
  threaded++;
  const p = { m, n, k, a, ars, acs, b, brs, bcs, c, ldc: n };
  const chunks = threads * (m * n * k >= FINE_MACS ? 2 : 1);
  if (!pool.run(p, threads - 1, chunks)) {
    // A chunk failed (it trapped): redo the whole product here.
    rt.kernels.sgemm(m, n, k, a, ars, acs, b, brs, bcs, c, n, 0, rt.scratch(0));
  }
}
