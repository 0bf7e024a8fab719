// fast-check generators shared by the property tests: shapes (rank 0–4, dims 1–4), broadcast-compatible
// pairs, dim lists, and seeded float64 data in a chosen domain. Values come from a seeded generator
// so that each run is reproducible from fast-check's seed.
import fc from "fast-check";
import { fromBuffer, getBackendName, listBackends, setBackend, type Tensor } from "../src/index.js";

export const numel = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** A shape of rank 0–maxRank with dims 1–maxDim and at most `maxNumel` elements. */
export function shapeArb(opts: { minRank?: number; maxRank?: number; maxDim?: number; maxNumel?: number } = {}): fc.Arbitrary<number[]> {
  const { minRank = 0, maxRank = 4, maxDim = 4, maxNumel = 24 } = opts;
  return fc
    .array(fc.integer({ min: 1, max: maxDim }), { minLength: minRank, maxLength: maxRank })
    .filter((s) => numel(s) <= maxNumel);
}

/** Two shapes that broadcast together: the second drops leading dims and sets some to 1; maybe swapped. */
export function broadcastPairArb(opts: { maxNumel?: number; minRank?: number } = {}): fc.Arbitrary<[number[], number[]]> {
  return shapeArb({ maxNumel: opts.maxNumel, minRank: opts.minRank }).chain((s) =>
    fc
      .tuple(
        fc.integer({ min: 0, max: s.length }),
        fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }),
        fc.boolean(),
      )
      .map(([drop, ones, swap]): [number[], number[]] => {
        const t = s.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d));
        return swap ? [t, s] : [s, t];
      }),
  );
}

/** The broadcast result shape, computed independently of duograd. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** A random subset of the dims of a rank-`rank` tensor, each written positively or negatively. */
export function dimsArb(rank: number, minLength = 1): fc.Arbitrary<number[]> {
  if (rank === 0) return fc.constantFrom<number[]>([], [0], [-1]);
  return fc
    .subarray(
      Array.from({ length: rank }, (_, i) => i),
      { minLength: Math.min(minLength, rank) },
    )
    .chain((ds) => fc.tuple(...ds.map((d) => fc.constantFrom(d, d - rank))))
    .map((ds) => ds.slice());
}

/** mulberry32: a small seeded uniform [0, 1) source. */
export function uniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Where the values of a generated tensor lie, chosen to avoid non-differentiable points. */
export type Domain =
  | "any" // uniform in [-2, 2]
  | "positive" // [0.2, 3]
  | "awayFromZero" // |x| in [0.1, 2]
  | "distinct"; // a random permutation of well-spaced values: no ties for max/min/sort

export function values(n: number, rand: () => number, domain: Domain = "any"): Float64Array {
  const v = new Float64Array(n);
  if (domain === "distinct") {
    const order = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    // Spaced by 0.3 (>> eps), centred, with a little jitter.
    for (let i = 0; i < n; i++) v[i] = (order[i] - (n - 1) / 2) * 0.3 + 0.05 * rand();
    return v;
  }
  for (let i = 0; i < n; i++) {
    const u = rand();
    if (domain === "positive") v[i] = 0.2 + 2.8 * u;
    else if (domain === "awayFromZero") v[i] = (rand() < 0.5 ? -1 : 1) * (0.1 + 1.9 * u);
    else v[i] = 4 * u - 2;
  }
  return v;
}

/** A float64 tensor of `shape` with seeded values. */
export function randTensor(shape: readonly number[], rand: () => number, domain: Domain = "any", requiresGrad = true): Tensor {
  const t = fromBuffer(values(numel(shape), rand, domain), shape, "float64");
  if (requiresGrad) t.requiresGrad_(true);
  return t;
}

/** fast-check parameters: fixed seeds so that failures reproduce. */
export const params = (numRuns: number, seed = 20240601): fc.Parameters<unknown> => ({ numRuns, seed, endOnFailure: true, includeErrorInReport: true });

/** The forms of torch.matmul's operands: vectors, matrices, broadcast batches. */
export const matmulFormArb = fc.constantFrom("vv", "vm", "mv", "mm", "bb", "vb", "bv");

/** The operand shapes of one matmul form, with batch dims `ba`/`bb` where the form has them. */
export function matmulShapes(form: string, m: number, k: number, n: number, ba: readonly number[], bb: readonly number[]): [number[], number[]] {
  const shapes: Record<string, [number[], number[]]> = {
    vv: [[k], [k]],
    vm: [[k], [k, n]],
    mv: [[m, k], [k]],
    mm: [[m, k], [k, n]],
    bb: [[...ba, m, k], [...bb, k, n]],
    vb: [[k], [...bb, k, n]],
    bv: [[...ba, m, k], [k]],
  };
  return shapes[form];
}

/**
 * Fails unless `got` and `want` hold the same values bit for bit (signed zeros told apart, any
 * NaN equal to any NaN): for fused kernels that must reproduce the ops they replace.
 */
export function assertSameBits(got: Tensor, want: Tensor, what: string): void {
  if (got.storage.length !== want.storage.length) throw new Error(`${what}: ${got.storage.length} elements, the composition gives ${want.storage.length}`);
  for (let i = 0; i < got.storage.length; i++) {
    const g = got.storage[i];
    const w = want.storage[i];
    if (!(Object.is(g, w) || (g !== g && w !== w))) throw new Error(`${what}: element ${i} is ${g}, the composition gives ${w}`);
  }
}

/** Runs fn on every registered backend, restoring the current one after. */
export function onEveryBackend(fn: (backend: string) => void): void {
  const before = getBackendName();
  try {
    for (const b of listBackends()) {
      setBackend(b);
      fn(b);
    }
  } finally {
    setBackend(before);
  }
}

/**
 * Float arrays equal element by element (NaN equal to any NaN, +0 equal to −0): a backend's
 * kernel against the JS kernel it must reproduce.
 */
export function sameFloats(got: Float32Array, want: Float32Array, what: string): void {
  if (got.length !== want.length) throw new Error(`${what}: ${got.length} elements, the JS kernel gives ${want.length}`);
  for (let i = 0; i < got.length; i++) {
    const g = got[i];
    const w = want[i];
    if (!(g === w || (g !== g && w !== w))) throw new Error(`${what}: element ${i} is ${g}, the JS kernel gives ${w}`);
  }
}
