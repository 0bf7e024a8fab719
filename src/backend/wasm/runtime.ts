// The WebAssembly instances behind the "wasm" backend, and the layout of their memory.
//
// Tensors live in JavaScript typed arrays; a kernel copies its operands into the wasm memory,
// runs there and copies the result back. The copies are memcpy (~0.05 ns per float), an order of
// magnitude cheaper than a JavaScript loop over the same elements, so they pay from a few dozen
// elements on. The memory is only scratch between calls: nothing stays in it, so nothing in it
// ever needs freeing.
//
// The plain (unshared) memory never grows in place: growing a WebAssembly.Memory detaches its
// old ArrayBuffer, and the first detach anywhere in a V8 process makes every optimised loop over
// any typed array check for detachment from then on (measured: a 200-float copy loop 88 → 333 ns,
// for the rest of the process). It is replaced instead by a larger memory and a new instance of
// the module over it, the live part of the arena copied across. Shared memory grows in place
// (a SharedArrayBuffer is never detached), which the worker threads rely on.
//
// Memory map (bytes):
//   [CTRL, CTRL + 256·MAX_THREADS)   one control block per worker thread (threads.ts)
//   [TASK, TASK + 4·TASK_SLOTS)      the product being split over threads (threads.ts)
//   [SCRATCH, ARENA)                 matmul packing scratch, one region per thread
//   [ARENA, …)                       operands of the current call, bump-allocated, reset per call
import { PLAIN_RELAXED_WASM_BASE64, PLAIN_WASM_BASE64, SHARED_RELAXED_WASM_BASE64, SHARED_WASM_BASE64 } from "./generated/kernels.js";

/** The exports of assembly/index.ts. Pointers are byte offsets into the memory. */
export interface Kernels {
  sgemm(m: number, n: number, k: number, a: number, ars: number, acs: number, b: number, brs: number, bcs: number, c: number, ldc: number, accumulate: number, work: number): void;
  scratchBytes(): number;
  adamF32(p: number, g: number, m: number, v: number, n: number, b1: number, omb1: number, b2: number, omb2: number, bc2: number, eps: number, negStep: number): void;
  kerasAdamF32(p: number, g: number, m: number, v: number, n: number, omb1: number, omb2: number, alpha: number, eps: number): void;
  rmspropF32(p: number, g: number, v: number, n: number, a: number, oma: number, lr: number, eps: number, keras: number): void;
  adagradF32(p: number, g: number, acc: number, n: number, lr: number, eps: number, keras: number): void;
  sgdMomentumF32(p: number, g: number, b: number, n: number, mu: number, omd: number, lr: number, nesterov: number, keras: number): void;
  binary2d(op: number, a: number, ars: number, ai: number, b: number, brs: number, bi: number, o: number, rows: number, cols: number): void;
  compare2d(op: number, a: number, ars: number, ai: number, b: number, brs: number, bi: number, o: number, rows: number, cols: number): void;
  unary(op: number, x: number, o: number, n: number): void;
  sumAxis(x: number, outer: number, r: number, inner: number, out: number, acc: number): void;
  dotF32(a: number, b: number, n: number): number;
  mseSumF32(x: number, y: number, n: number): number;
  mseBackwardF32(x: number, y: number, out: number, n: number, norm: number, g: number): void;
}

const PAGE = 65536;
// Must match scripts/build-wasm.mjs.
const INITIAL_PAGES = 64;
const MAX_PAGES = 32768;
/** The most threads (the calling one included) a product is split over. */
export const MAX_THREADS = 4;
export const CTRL = 4096;
export const CTRL_BYTES = 256;
export const TASK = CTRL + MAX_THREADS * CTRL_BYTES;
export const TASK_SLOTS = 32;
const SCRATCH = 65536;
/** How many output views a runtime keeps (see WasmRuntime.getTo). */
const OUT_VIEWS = 8;

function decode(b64: string): Uint8Array<ArrayBuffer> {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** One instance of the kernels over one memory, plus the per-call operand arena. */
export class WasmRuntime {
  /** Replaced (plain memory) when it must grow: read it, and `kernels`, after a call's allocations. */
  memory: WebAssembly.Memory;
  readonly module: WebAssembly.Module;
  kernels: Kernels;
  /** Whether the memory is shared (worker threads can run kernels on it). */
  readonly shared: boolean;
  /** Bytes of matmul scratch per thread, and where thread t's starts. */
  readonly scratchBytes: number;
  /** Views of the whole memory, renewed when it grows. */
  declare f32: Float32Array;
  declare f64: Float64Array;
  declare u8: Uint8Array;
  private readonly arenaStart: number;
  private top: number;
  /** Bytes the views cover: a number field, read by every allocation (a view's byteLength cost ~15 ns a call). */
  declare private capacity: number;
  // Views that outputs are copied out through, by byte offset and length: a training step copies
  // out the same few regions at every step, and a subarray made per call cost 25 of the ~200 ns
  // of a 200-element op. Dropped when the memory grows (a new f32 view).
  private readonly outViews: Float32Array[] = [];
  private readonly outAt: number[] = [];
  private outOf: Float32Array | null = null;
  private nextOut = 0;

  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, shared: boolean) {
    this.module = module;
    this.memory = memory;
    this.shared = shared;
    this.kernels = instantiate(module, memory);
    this.scratchBytes = (this.kernels.scratchBytes() + 63) & ~63;
    this.arenaStart = SCRATCH + MAX_THREADS * this.scratchBytes;
    this.top = this.arenaStart;
    this.renewViews();
  }

  /** Byte offset of thread t's matmul scratch (t = 0 is the calling thread). */
  scratch(t: number): number {
    return SCRATCH + t * this.scratchBytes;
  }

  /** Starts a kernel call: forgets every operand of the previous one. */
  reset(): void {
    this.top = this.arenaStart;
  }

  /** Reserves `bytes` (16-byte aligned) in the arena, growing the memory if needed; -1 if it can't. */
  alloc(bytes: number): number {
    const at = this.top;
    if (!this.reserve(at + bytes)) return -1;
    this.top = (at + bytes + 15) & ~15;
    return at;
  }

  /** Copies a float32 array into the arena; its byte offset, or -1 if memory ran out. */
  put(x: Float32Array): number {
    const at = this.alloc(x.length * 4);
    if (at >= 0) this.f32.set(x, at >> 2);
    return at;
  }

  /** Copies x into the memory at byte offset `at` (a region this call reserved). */
  putAt(at: number, x: Float32Array): void {
    this.f32.set(x, at >> 2);
  }

  /** Copies `len` floats at byte offset `at` into out[start…]. */
  getTo(at: number, out: Float32Array, start: number, len: number): void {
    out.set(this.outView(at, len), start);
  }

  private outView(at: number, len: number): Float32Array {
    const mem = this.f32;
    const views = this.outViews;
    if (this.outOf !== mem) {
      views.length = 0;
      this.outAt.length = 0;
      this.outOf = mem;
    }
    for (let i = 0; i < views.length; i++) if (this.outAt[i] === at && views[i].length === len) return views[i];
    const v = mem.subarray(at >> 2, (at >> 2) + len);
    if (views.length < OUT_VIEWS) {
      views.push(v);
      this.outAt.push(at);
    } else {
      views[this.nextOut] = v;
      this.outAt[this.nextOut] = at;
      this.nextOut = (this.nextOut + 1) % OUT_VIEWS;
    }
    return v;
  }

  /** Copies `len` bytes at byte offset `at` into out[start…]. */
  getBytesTo(at: number, out: Uint8Array, start: number, len: number): void {
    out.set(this.u8.subarray(at, at + len), start);
  }

  /** Copies out.length floats at byte offset `at` into `out`. */
  get(at: number, out: Float32Array): void {
    this.getTo(at, out, 0, out.length);
  }

  /** Copies out.length bytes at byte offset `at` into `out`. */
  getBytes(at: number, out: Uint8Array): void {
    out.set(new Uint8Array(this.memory.buffer, at, out.length));
  }

  private reserve(end: number): boolean {
    if (end <= this.capacity) return true;
    const have = this.memory.buffer.byteLength;
    if (end <= have) {
      this.renewViews();
      return true;
    }
    const pages = Math.ceil((end - have) / PAGE);
    if (have / PAGE + pages > MAX_PAGES) return false;
    // Grow by at least a quarter so a slowly rising size does not grow on every call.
    const add = Math.max(pages, Math.min(MAX_PAGES - have / PAGE, Math.ceil(have / PAGE / 4)));
    try {
      if (this.shared) this.memory.grow(add);
      else {
        const memory = new WebAssembly.Memory({ initial: have / PAGE + add, maximum: MAX_PAGES });
        new Uint8Array(memory.buffer).set(new Uint8Array(this.memory.buffer, 0, this.top));
        this.kernels = instantiate(this.module, memory);
        this.memory = memory;
      }
    } catch {
      return false;
    }
    this.renewViews();
    return true;
  }

  private renewViews(): void {
    this.f32 = new Float32Array(this.memory.buffer);
    this.f64 = new Float64Array(this.memory.buffer);
    this.u8 = new Uint8Array(this.memory.buffer);
    this.capacity = this.f32.byteLength;
  }
}

function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): Kernels {
  return new WebAssembly.Instance(module, { env: { memory, abort: () => {} } }).exports as unknown as Kernels;
}

let plain: WasmRuntime | null | undefined;
let shared: WasmRuntime | null | undefined;

function sharedMemoryAllowed(): boolean {
  if (typeof SharedArrayBuffer === "undefined") return false;
  // Browsers hand out SharedArrayBuffer only to cross-origin-isolated pages.
  const g = globalThis as { crossOriginIsolated?: boolean; process?: unknown };
  return g.process !== undefined || g.crossOriginIsolated === true;
}

let simd: boolean | undefined;

/** Whether this engine runs WebAssembly with SIMD (the kernels validate). */
export function wasmSimdSupported(): boolean {
  if (simd === undefined) {
    try {
      simd = typeof WebAssembly === "object" && WebAssembly.validate(decode(PLAIN_WASM_BASE64));
    } catch {
      simd = false;
    }
  }
  return simd;
}

let relaxed: boolean | undefined;

/**
 * Whether the kernels run with relaxed SIMD (the matmul tile's fused multiply-add): where the
 * host validates it — browsers since 2023, Node from 22, Node 20 with
 * `--experimental-wasm-relaxed-simd`. duograd never sets engine flags itself.
 */
export function wasmRelaxedSimd(): boolean {
  if (relaxed === undefined) {
    try {
      relaxed = wasmSimdSupported() && WebAssembly.validate(decode(PLAIN_RELAXED_WASM_BASE64));
    } catch {
      relaxed = false;
    }
  }
  return relaxed;
}

/**
 * The runtime over a plain memory, made on first use; null where WebAssembly SIMD is missing.
 * Elementwise kernels and single-threaded products use it: V8 copies into and out of a shared
 * memory with relaxed atomics, measured 1.6× slower than into a plain one (145 vs 90 µs per 1M
 * floats).
 */
export function plainRuntime(): WasmRuntime | null {
  if (plain !== undefined) return plain;
  plain = null;
  if (!wasmSimdSupported()) return null;
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES });
  plain = new WasmRuntime(new WebAssembly.Module(decode(wasmRelaxedSimd() ? PLAIN_RELAXED_WASM_BASE64 : PLAIN_WASM_BASE64)), memory, false);
  return plain;
}

/** The runtime over a shared memory, for products split over worker threads; null where impossible. */
export function sharedRuntime(): WasmRuntime | null {
  if (shared !== undefined) return shared;
  shared = null;
  if (!wasmSimdSupported() || !sharedMemoryAllowed()) return null;
  try {
    const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES, shared: true });
    shared = new WasmRuntime(new WebAssembly.Module(decode(wasmRelaxedSimd() ? SHARED_RELAXED_WASM_BASE64 : SHARED_WASM_BASE64)), memory, true);
  } catch {
    // e.g. no address space for a shared memory's reservation: products stay single-threaded.
  }
  return shared;
}
