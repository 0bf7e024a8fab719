// Timing for the benchmark children (one library per process): repeated samples of a batch of
// calls, reported as one JSON line per row on stdout for bench/run.ts to collect.

/** One measured row: `value` is the median, in `unit`; lo/hi the fastest and slowest sample. */
export interface Row {
  id: string;
  lib: string;
  unit: string;
  median: number;
  lo: number;
  hi: number;
  samples: number;
  note?: string;
}

export interface MeasureOptions {
  /** Seconds to spend on the timed samples (default 0.8). */
  budget?: number;
  /** Samples (default 9; fewer if one call takes long). */
  samples?: number;
  /** Converts seconds per call into the row's unit (default: to µs). */
  scale?: (secondsPerCall: number) => number;
  unit?: string;
}

const now = (): number => performance.now() / 1000;

/** Yields to the event loop, so finalizers and timers of the library run between samples. */
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/**
 * Times `fn` (sync or async): warms it up, picks a batch size so a sample takes budget/samples,
 * and returns the median and range of the per-call times over the samples.
 */
export async function measure(fn: () => unknown, opts: MeasureOptions = {}): Promise<Omit<Row, "id" | "lib">> {
  const budget = opts.budget ?? 0.8;
  let samples = opts.samples ?? 9;
  const scale = opts.scale ?? ((s: number) => s * 1e6);
  // Warm-up: at least 3 calls and 0.3 s, so the JIT (and V8's wasm tier-up) settles.
  let calls = 0;
  const t0 = now();
  while (calls < 3 || now() - t0 < 0.3) {
    const r = fn();
    if (r instanceof Promise) await r;
    calls++;
    if (now() - t0 > 3) break;
  }
  const perCall = (now() - t0) / calls;
  if (perCall * samples > budget * 3) samples = Math.max(3, Math.floor((budget * 3) / perCall));
  const batch = Math.max(1, Math.round(budget / samples / perCall));
  const times: number[] = [];
  for (let s = 0; s < samples; s++) {
    await tick();
    const start = now();
    for (let i = 0; i < batch; i++) {
      const r = fn();
      if (r instanceof Promise) await r;
    }
    times.push(scale((now() - start) / batch));
  }
  times.sort((a, b) => a - b);
  return { unit: opts.unit ?? "µs", median: times[times.length >> 1], lo: times[0], hi: times[times.length - 1], samples: times.length };
}

/** Prints a row for the parent process. */
export function emit(row: Row): void {
  console.log("ROW " + JSON.stringify(row));
}

/** Prints a skipped row (the parent shows the reason). */
export function skip(id: string, lib: string, why: string): void {
  console.log("SKIP " + JSON.stringify({ id, lib, why }));
}

/** Seeded uniform floats in [-1, 1), the same in every child (data values don't affect timing). */
export function uniformData(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2147483648 - 1;
  }
  return out;
}

/** The article's 200 points: x in [-10, 10), y = 0.1·x + 0.3 + noise. */
export function articleData(): { x: Float32Array; y: Float32Array } {
  const u = uniformData(400, 7);
  const x = new Float32Array(200);
  const y = new Float32Array(200);
  for (let i = 0; i < 200; i++) {
    x[i] = 10 * u[i];
    y[i] = 0.1 * x[i] + 0.3 + 0.15 * u[200 + i];
  }
  return { x, y };
}

/** Class labels in [0, classes) for the MLP batch. */
export function labelsData(n: number, classes: number): Int32Array {
  const u = uniformData(n, 11);
  return Int32Array.from(u, (v) => Math.min(classes - 1, Math.floor(((v + 1) / 2) * classes)));
}

/** The sizes, variants and thread counts of W4. */
export const W4_SIZES = [64, 128, 256, 512, 1024];
export const W4_VARIANTS = ["A·B", "Aᵀ·B", "A·Bᵀ"] as const;
export type W4Variant = (typeof W4_VARIANTS)[number];

export const gflops = (n: number) => (s: number) => (2 * n * n * n) / s / 1e9;

/** Runs one workload, turning a failure (e.g. an API the library lacks) into a skip row. */
export async function guarded(id: string, lib: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (e) {
    skip(id, lib, (e as Error).message.split("\n")[0].slice(0, 160));
  }
}
