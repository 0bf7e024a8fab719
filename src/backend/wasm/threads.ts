// Worker threads that run matmul slices on the shared wasm memory (Node only: browsers and hosts
// without `process.getBuiltinModule` simply run single-threaded).
//
// Each worker has a control block of Int32 slots in the shared memory. The caller writes a job's
// arguments, bumps SEQ and notifies; the worker runs it, stores SEQ into DONE and notifies back.
// After a job a worker spins for a short while before sleeping in Atomics.wait, so products that
// follow each other (a training step's forward and backward) don't pay the ~40 µs wake-up.
// Workers are unref'd: they never keep a finished process alive.
import { ValueError } from "../../tensor/errors.js";
import { CTRL, CTRL_BYTES, MAX_THREADS, type WasmRuntime } from "./runtime.js";

// Slots of a control block (Int32 index from the block's start).
const SEQ = 0;
const DONE = 1;
const READY = 2;
const ERROR = 3;
const ARGS = 4; // 13 sgemm arguments follow

/** How long (ms) an idle worker spins before it sleeps. */
const SPIN_MS = 3;

const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { module, memory, ctrl } = workerData;
const { sgemm } = new WebAssembly.Instance(module, { env: { memory, abort() {} } }).exports;
const c = new Int32Array(memory.buffer, ctrl, ${CTRL_BYTES / 4});
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
  try {
    const a = ${ARGS};
    sgemm(c[a], c[a + 1], c[a + 2], c[a + 3], c[a + 4], c[a + 5], c[a + 6], c[a + 7], c[a + 8], c[a + 9], c[a + 10], c[a + 11], c[a + 12]);
  } catch (e) {
    Atomics.store(c, ${ERROR}, 1);
  }
  Atomics.store(c, ${DONE}, seen);
  Atomics.notify(c, ${DONE});
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

/** The workers started so far on one runtime; a worker counts once it reported ready. */
class Pool {
  private readonly rt: WasmRuntime;
  private readonly ctrl: Int32Array;
  private started = 0;
  private broken = false;

  constructor(rt: WasmRuntime) {
    this.rt = rt;
    this.ctrl = new Int32Array(rt.memory.buffer, CTRL, (MAX_THREADS * CTRL_BYTES) / 4);
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
      try {
        const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { module: this.rt.module, memory: this.rt.memory, ctrl } });
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

  /** Posts an sgemm job to worker w. */
  post(w: number, args: readonly number[]): void {
    const base = w * (CTRL_BYTES / 4);
    for (let i = 0; i < args.length; i++) this.ctrl[base + ARGS + i] = args[i];
    Atomics.add(this.ctrl, base + SEQ, 1);
    Atomics.notify(this.ctrl, base + SEQ, 1);
  }

  /** Waits until worker w finished its last job; false if it failed. */
  wait(w: number): boolean {
    const base = w * (CTRL_BYTES / 4);
    const seq = Atomics.load(this.ctrl, base + SEQ);
    for (let i = 0; i < 4096; i++) if (Atomics.load(this.ctrl, base + DONE) === seq) break;
    // A job is milliseconds; a worker silent for 10 s is gone (its thread died), so stop using threads.
    for (let waited = 0; ; waited += 50) {
      const done = Atomics.load(this.ctrl, base + DONE);
      if (done === seq) break;
      if (waited > 10000) {
        this.broken = true;
        throw new Error("wasm backend: a matmul worker thread stopped answering");
      }
      Atomics.wait(this.ctrl, base + DONE, done, 50);
    }
    if (Atomics.load(this.ctrl, base + ERROR) !== 0) {
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
