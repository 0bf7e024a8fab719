// Worker threads that run matmul chunks on the shared wasm memory (Node only: browsers and hosts
// without `process.getBuiltinModule` simply run single-threaded).
//
// A product is cut into chunks (slices of C's rows or columns) described by one task block in the
// shared memory. The caller publishes the task, wakes the workers, and then every thread, the
// caller included, claims chunks one at a time with a compare-and-swap on the task's word until
// none is left. So a worker the OS does not schedule (a busy machine) costs at most the chunk it
// holds: the caller takes the rest, instead of waiting for a fixed share (measured before this:
// an MLP step on 2 threads ran 2.4× slower than on 1 while another process held a core).
//
// Task word: seq (12 bits) · chunks (10 bits) · next chunk (10 bits). Everything a claim needs is
// in the word, so a late worker holding an old task's parameters can never claim a chunk of the
// next task: its compare-and-swap fails on the sequence number.
//
// Each worker has a control block of Int32 slots: the caller bumps SEQ and notifies to wake it.
// After a task a worker spins for a short while before sleeping in Atomics.wait, so products that
// follow each other (a training step's forward and backward) don't pay the ~40 µs wake-up.
// Workers are unref'd: they never keep a finished process alive.
import { ValueError } from "../../tensor/errors.js";
import { CTRL, CTRL_BYTES, MAX_THREADS, TASK, TASK_SLOTS, type WasmRuntime } from "./runtime.js";

// Slots of a worker's control block (Int32 index from the block's start).
const SEQ = 0;
const READY = 2;

// Slots of the task block.
const WORD = 0;
const COMPLETED = 1;
const FAILED = 2;
const PARAMS = 3; // m n k a ars acs b brs bcs c ldc byRows slice len

/** How long (ms) an idle worker spins before it sleeps. */
const SPIN_MS = 3;

// Runs chunks of the current task until none is left (the same text runs in the workers, so the
// claim protocol is written once). `t` is the task block, `work` this thread's packing scratch.
const CLAIM_SOURCE = `(t, sgemm, work) => {
  for (;;) {
    const w = Atomics.load(t, ${WORD});
    const chunks = (w >>> 10) & 1023;
    const i = w & 1023;
    if (i >= chunks) return;
    const p = ${PARAMS};
    const m = t[p], n = t[p + 1], k = t[p + 2], a = t[p + 3], ars = t[p + 4], acs = t[p + 5];
    const b = t[p + 6], brs = t[p + 7], bcs = t[p + 8], c = t[p + 9], ldc = t[p + 10];
    const byRows = t[p + 11], slice = t[p + 12], len = t[p + 13];
    if (Atomics.compareExchange(t, ${WORD}, w, w + 1) !== w) continue;
    // The claim succeeded on an unchanged word, so the parameters read above are this task's.
    const s = i * slice;
    const e = Math.min(len, s + slice);
    try {
      if (byRows) sgemm(e - s, n, k, a + s * ars * 4, ars, acs, b, brs, bcs, c + s * ldc * 4, ldc, 0, work);
      else sgemm(m, e - s, k, a, ars, acs, b + s * bcs * 4, brs, bcs, c + s * 4, ldc, 0, work);
    } catch (err) {
      Atomics.store(t, ${FAILED}, 1);
    }
    Atomics.add(t, ${COMPLETED}, 1);
    Atomics.notify(t, ${COMPLETED});
  }
}`;

type Claim = (t: Int32Array, sgemm: (...args: number[]) => void, work: number) => void;
const claimChunks = new Function(`return ${CLAIM_SOURCE};`)() as Claim;

const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { module, memory, ctrl, task, work } = workerData;
const { sgemm } = new WebAssembly.Instance(module, { env: { memory, abort() {} } }).exports;
const c = new Int32Array(memory.buffer, ctrl, ${CTRL_BYTES / 4});
const t = new Int32Array(memory.buffer, task, ${TASK_SLOTS});
const claim = ${CLAIM_SOURCE};
Atomics.store(c, ${READY}, 1);
let seen = Atomics.load(c, ${SEQ});
for (;;) {
  let s = Atomics.load(c, ${SEQ});
  if (s === seen) {
    const until = performance.now() + ${SPIN_MS};
    for (let i = 0; (s = Atomics.load(c, ${SEQ})) === seen; i++) {
      if ((i & 255) === 255 && performance.now() > until) {
        Atomics.wait(c, ${SEQ}, seen);
      }
    }
  }
  seen = s;
  claim(t, sgemm, work);
}
`;

interface WorkerLike {
  unref(): void;
  on(event: string, fn: (e: unknown) => void): void;
}
type WorkerCtor = new (src: string, opts: { eval: boolean; workerData: unknown }) => WorkerLike;

function workerCtor(): WorkerCtor | null {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  if (typeof p?.getBuiltinModule !== "function") return null;
  try {
    const wt = p.getBuiltinModule("node:worker_threads") as { Worker?: WorkerCtor; isMainThread?: boolean } | undefined;
    return wt?.Worker ?? null;
  } catch {
    return null;
  }
}

function defaultThreads(): number {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    const os = p?.getBuiltinModule?.("node:os") as { availableParallelism?: () => number } | undefined;
    const n = os?.availableParallelism?.() ?? 1;
    return Math.max(1, Math.min(MAX_THREADS, n));
  } catch {
    return 1;
  }
}

let wanted = -1;

/**
 * Sets how many threads (the calling one included) large float32 matrix products on the wasm
 * backend are split over, as torch.set_num_threads. Defaults to the number of cores, at most 4.
 * @example setNumThreads(1); // single-threaded products
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new ValueError(`setNumThreads: expected a positive integer number of threads, got ${n}`);
  wanted = Math.min(n, MAX_THREADS);
}

/** The number of threads products may use (see setNumThreads). */
export function getNumThreads(): number {
  if (wanted < 0) wanted = defaultThreads();
  return wanted;
}

/** One product to split: C (m×n, row stride ldc) = A·B with A, B, C as sgemm takes them. */
export interface Product {
  m: number;
  n: number;
  k: number;
  a: number;
  ars: number;
  acs: number;
  b: number;
  brs: number;
  bcs: number;
  c: number;
  ldc: number;
}

/** The workers started so far on one runtime; a worker counts once it reported ready. */
class Pool {
  private readonly rt: WasmRuntime;
  private readonly ctrl: Int32Array;
  private readonly task: Int32Array;
  private seq = 0;
  private started = 0;
  private broken = false;

  constructor(rt: WasmRuntime) {
    this.rt = rt;
    this.ctrl = new Int32Array(rt.memory.buffer, CTRL, (MAX_THREADS * CTRL_BYTES) / 4);
    this.task = new Int32Array(rt.memory.buffer, TASK, TASK_SLOTS);
  }

  /** Starts workers up to `n` (not waiting for them); how many are ready now. */
  ready(n: number): number {
    if (this.broken) return 0;
    while (this.started < n) {
      const Worker = workerCtor();
      if (Worker === null) {
        this.broken = true;
        return 0;
      }
      const ctrl = CTRL + this.started * CTRL_BYTES;
      const work = this.rt.scratch(this.started + 1);
      try {
        const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { module: this.rt.module, memory: this.rt.memory, ctrl, task: TASK, work } });
        w.unref();
        w.on("error", () => {
          this.broken = true;
        });
      } catch {
        this.broken = true;
        return 0;
      }
      this.started++;
    }
    let r = 0;
    while (r < n && Atomics.load(this.ctrl, r * (CTRL_BYTES / 4) + READY) === 1) r++;
    return r;
  }

  /**
   * Computes `p` in `chunks` slices of C's longer side (multiples of the 4×8 tile), claimed by
   * the caller and `workers` workers. False if a chunk failed (the caller then redoes it alone).
   */
  run(p: Product, workers: number, chunks: number): boolean {
    const byRows = p.m >= p.n;
    const len = byRows ? p.m : p.n;
    const unit = byRows ? 4 : 8;
    const slice = Math.ceil(len / chunks / unit) * unit;
    const count = Math.ceil(len / slice);
    const t = this.task;
    const params = [p.m, p.n, p.k, p.a, p.ars, p.acs, p.b, p.brs, p.bcs, p.c, p.ldc, byRows ? 1 : 0, slice, len];
    for (let i = 0; i < params.length; i++) t[PARAMS + i] = params[i];
    Atomics.store(t, COMPLETED, 0);
    Atomics.store(t, FAILED, 0);
    this.seq = (this.seq + 1) & 4095;
    // Publishing the word last: a thread that sees the new word sees the parameters above.
    Atomics.store(t, WORD, (this.seq << 20) | (count << 10));
    for (let w = 0; w < workers; w++) {
      const base = w * (CTRL_BYTES / 4);
      Atomics.add(this.ctrl, base + SEQ, 1);
      Atomics.notify(this.ctrl, base + SEQ, 1);
    }
    claimChunks(t, this.rt.kernels.sgemm as (...args: number[]) => void, this.rt.scratch(0));
    // Every chunk is claimed; wait for those still running on workers.
    for (let i = 0; i < 4096 && Atomics.load(t, COMPLETED) < count; i++);
    for (let waited = 0; ; waited += 50) {
      const done = Atomics.load(t, COMPLETED);
      if (done >= count) break;
      // A chunk takes milliseconds; a worker silent for 10 s is gone (its thread died).
      if (waited > 10000) {
        this.broken = true;
        throw new Error("wasm backend: a matmul worker thread stopped answering");
      }
      Atomics.wait(t, COMPLETED, done, 50);
    }
    if (Atomics.load(t, FAILED) !== 0) {
      this.broken = true;
      return false;
    }
    return true;
  }
}

const pools = new WeakMap<WasmRuntime, Pool>();

/**
 * Workers ready to take jobs on `rt`, at most `n`; starts them on first demand (they become
 * ready a few ms later, until then products run on the calling thread alone).
 */
export function readyWorkers(rt: WasmRuntime, n: number): Pool | null {
  if (!rt.shared || n <= 0) return null;
  let pool = pools.get(rt);
  if (pool === undefined) {
    pool = new Pool(rt);
    pools.set(rt, pool);
  }
  return pool.ready(n) >= n ? pool : null;
}

export type { Pool };
