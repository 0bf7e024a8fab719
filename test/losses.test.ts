import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import {
  Tensor,
  fromBuffer,
  grad,
  noGrad,
  sum,
  mul,
  logSoftmax,
  mseLoss,
  l1Loss,
  huberLoss,
  smoothL1Loss,
  crossEntropy,
  nllLoss,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  setWarningHandler,
  DTypeError,
  IndexError,
  ShapeError,
  ValueError,
  type DType,
} from "../src/index.js";
import { uniform as rng } from "./arbitraries.js"; // mulberry32: seeded, so failures reproduce

// ------------------------------------------------------------------ helpers

type FloatDType = "float32" | "float64";
type Red = "none" | "mean" | "sum";
const REDUCTIONS: readonly Red[] = ["none", "mean", "sum"];

function floats(data: readonly number[], shape: readonly number[], dtype: FloatDType = "float64", requiresGrad = false): Tensor {
  const t = fromBuffer(dtype === "float32" ? Float32Array.from(data) : Float64Array.from(data), shape, dtype);
  t.requiresGrad = requiresGrad;
  return t;
}
const ints = (data: readonly number[], shape: readonly number[]): Tensor => fromBuffer(Int32Array.from(data), shape, "int32");
const vals = (t: Tensor): number[] => Array.from(t.storage as ArrayLike<number>);
const prodOf = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

const uniform = (r: () => number, n: number, lo: number, hi: number): number[] => Array.from({ length: n }, () => lo + (hi - lo) * r());
const randInts = (r: () => number, n: number, k: number): number[] => Array.from({ length: n }, () => Math.floor(r() * k));

/** The README's tolerances: float32 `1e-5 + 1e-4·|ref|`, float64 `1e-10 + 1e-10·|ref|`. */
function assertClose(got: readonly number[], want: readonly number[], what: string, atol: number, rtol: number): void {
  assert.equal(got.length, want.length, `${what}: length ${got.length}, want ${want.length}`);
  for (let i = 0; i < want.length; i++) {
    const ok = Number.isNaN(want[i]) ? Number.isNaN(got[i]) : Math.abs(got[i] - want[i]) <= atol + rtol * Math.abs(want[i]);
    assert.ok(ok, `${what}[${i}]: got ${got[i]}, want ${want[i]}`);
  }
}
const tol = (dtype: DType): [number, number] => (dtype === "float32" ? [1e-5, 1e-4] : [1e-10, 1e-10]);
/** Our float64 loop references sum in another order than the ops do: a few ulps apart. */
const REF: [number, number] = [1e-12, 1e-12];

/** Gradients of sum(out · v) (or of out when it is 0-d) with respect to xs. */
function vjp(out: Tensor, xs: Tensor[], v?: Tensor, createGraph = false): Tensor[] {
  const s = out.ndim === 0 ? out : sum(mul(out, v!));
  return grad(s, xs, { createGraph, retainGraph: true }) as Tensor[];
}

/**
 * Checks autograd's gradient of `f` at `x0` against central differences of `f`'s own float64
 * forward, and one Hessian-vector product (createGraph, then grad again) against central
 * differences of the gradient.
 */
function gradcheck(what: string, f: (x: Tensor) => Tensor, x0: readonly number[], shape: readonly number[], seed: number, secondOrder = true): void {
  const r = rng(seed);
  const probe = noGrad(() => f(floats(x0, shape)));
  const v = floats(uniform(r, probe.numel(), -1, 1), probe.shape);
  const scalarOf = (x: Tensor): number => noGrad(() => (probe.ndim === 0 ? f(x) : sum(mul(f(x), v))).item());
  const gradAt = (xs: readonly number[], createGraph = false): [Tensor, Tensor] => {
    const x = floats(xs, shape, "float64", true);
    return [vjp(f(x), [x], v, createGraph)[0], x];
  };
  const h = 1e-6;
  const [g] = gradAt(x0);
  const numeric = x0.map((_, i) => {
    const p = x0.slice();
    const m = x0.slice();
    p[i] += h;
    m[i] -= h;
    return (scalarOf(floats(p, shape)) - scalarOf(floats(m, shape))) / (2 * h);
  });
  assertClose(vals(g), numeric, `${what}: gradient vs central differences`, 1e-7, 1e-6);
  if (!secondOrder) return;
  const u = uniform(r, x0.length, -1, 1);
  const [g2, x] = gradAt(x0, true);
  const gu = sum(mul(g2, floats(u, shape)));
  // A loss linear in x has a gradient that does not depend on x at all.
  const hvp = gu.requiresGrad ? vals((grad(gu, [x], { materializeGrads: true }) as Tensor[])[0]) : x0.map(() => 0);
  const eps = 1e-5;
  const gp = vals(gradAt(x0.map((a, i) => a + eps * u[i]))[0]);
  const gm = vals(gradAt(x0.map((a, i) => a - eps * u[i]))[0]);
  assertClose(hvp, gp.map((a, i) => (a - gm[i]) / (2 * eps)), `${what}: Hessian-vector product vs central differences`, 1e-6, 1e-5);
}

function reduceRef(el: number[], reduction: Red): number[] {
  if (reduction === "none") return el;
  const s = el.reduce((a, b) => a + b, 0);
  return [reduction === "sum" ? s : s / el.length];
}

/** Captures warnings while `fn` runs. */
function captureWarnings(fn: () => void): string[] {
  const seen: string[] = [];
  const prev = setWarningHandler((m) => seen.push(m));
  try {
    fn();
  } finally {
    setWarningHandler(prev);
  }
  return seen;
}

// ------------------------------------------------------------------ the oracle

interface OracleTensor {
  shape: number[];
  dtype: "float64" | "int64" | "bool";
  data: (number | boolean)[];
  requires_grad?: boolean;
}
interface OracleCase {
  id: string;
  op: string;
  family: string;
  order: number;
  args: Record<string, unknown>;
  inputs: OracleTensor[];
  output: OracleTensor;
  grad_output: OracleTensor;
  grads: (OracleTensor | null)[];
}

// Tests run compiled from dist/test/, so the fixture is two levels up.
const oracle = JSON.parse(fs.readFileSync(new URL("../../test/fixtures/ops.json", import.meta.url), "utf8")) as { cases: OracleCase[] };
const LOSS_OPS = ["mse_loss", "l1_loss", "huber_loss", "cross_entropy", "binary_cross_entropy_with_logits"];
const lossCases = oracle.cases.filter((c) => LOSS_OPS.includes(c.op));

function runOracle(c: OracleCase, x: Tensor[]): Tensor {
  const reduction = c.args.reduction as Red;
  switch (c.op) {
    case "mse_loss":
      return mseLoss(x[0], x[1], { reduction });
    case "l1_loss":
      return l1Loss(x[0], x[1], { reduction });
    case "huber_loss":
      return huberLoss(x[0], x[1], { reduction, delta: c.args.delta as number });
    case "cross_entropy":
      return crossEntropy(x[0], x[1], { reduction, labelSmoothing: (c.args.label_smoothing as number | undefined) ?? 0 });
    case "binary_cross_entropy_with_logits":
      return binaryCrossEntropyWithLogits(x[0], x[1], { reduction });
  }
  throw new Error(`no mapping for ${c.op}`);
}

test("the oracle has every loss family", () => {
  for (const op of LOSS_OPS) assert.ok(lossCases.some((c) => c.op === op && c.order === 1), op);
});

for (const c of lossCases) {
  for (const dtype of ["float32", "float64"] as const) {
    test(`oracle ${c.id} (${dtype}): value and gradients`, () => {
      const xs = c.inputs.map((t) =>
        t.dtype === "int64" ? ints(t.data as number[], t.shape) : floats(t.data as number[], t.shape, dtype, t.requires_grad ?? false),
      );
      const out = runOracle(c, xs);
      const [atol, rtol] = tol(dtype);
      assert.equal(out.dtype, dtype);
      assert.deepEqual(out.shape, c.output.shape);
      assertClose(vals(out), c.output.data as number[], `${c.id} output`, atol, rtol);
      const wrt = xs.filter((_, i) => c.grads[i] !== null);
      const gs = grad(out, wrt, { gradOutputs: floats(c.grad_output.data as number[], c.grad_output.shape, dtype) }) as Tensor[];
      let k = 0;
      c.grads.forEach((g, i) => {
        if (g === null) return;
        assert.deepEqual(gs[k].shape, g.shape);
        assertClose(vals(gs[k++]), g.data as number[], `${c.id} grad of input ${i}`, atol, rtol);
      });
    });
  }
}

// ------------------------------------------------------------------ float64 loop references

/** Elementwise regression losses on same-shape inputs. */
const elementwise: Record<string, (d: number, p: number) => number> = {
  mse: (d) => d * d,
  l1: (d) => Math.abs(d),
  huber: (d, delta) => (Math.abs(d) < delta ? 0.5 * d * d : delta * (Math.abs(d) - 0.5 * delta)),
  smoothL1: (d, beta) => (beta === 0 ? Math.abs(d) : Math.abs(d) < beta ? (0.5 * d * d) / beta : Math.abs(d) - 0.5 * beta),
};

test("regression losses match loop references for every reduction and option", () => {
  const r = rng(1);
  const shape = [3, 5];
  const a = uniform(r, 15, -3, 3);
  const b = uniform(r, 15, -3, 3);
  const cases: [string, number, (x: Tensor, y: Tensor, red: Red) => Tensor][] = [
    ["mse", 0, (x, y, reduction) => mseLoss(x, y, { reduction })],
    ["l1", 0, (x, y, reduction) => l1Loss(x, y, { reduction })],
    ["huber", 1, (x, y, reduction) => huberLoss(x, y, { reduction })],
    ["huber", 0.3, (x, y, reduction) => huberLoss(x, y, { reduction, delta: 0.3 })],
    ["smoothL1", 1, (x, y, reduction) => smoothL1Loss(x, y, { reduction })],
    ["smoothL1", 0.5, (x, y, reduction) => smoothL1Loss(x, y, { reduction, beta: 0.5 })],
    ["smoothL1", 2.5, (x, y, reduction) => smoothL1Loss(x, y, { reduction, beta: 2.5 })],
    ["smoothL1", 0, (x, y, reduction) => smoothL1Loss(x, y, { reduction, beta: 0 })],
  ];
  for (const [name, p, f] of cases) {
    const el = a.map((ai, i) => elementwise[name](ai - b[i], p));
    for (const red of REDUCTIONS) {
      const out = f(floats(a, shape), floats(b, shape), red);
      assert.deepEqual(out.shape, red === "none" ? shape : []);
      assertClose(vals(out), reduceRef(el, red), `${name}(${p}) ${red}`, ...REF);
    }
    // The default reduction is the mean.
    assertClose(vals(f(floats(a, shape), floats(b, shape), undefined as unknown as Red)), reduceRef(el, "mean"), `${name} default`, ...REF);
  }
});

test("regression losses: finite-difference gradients and second order", () => {
  const r = rng(2);
  // Differences kept away from the kinks (0, ±delta, ±beta) where central differences straddle them.
  const tgt = uniform(r, 12, -1, 1);
  const x0 = tgt.map((t, i) => t + (i % 2 ? 1 : -1) * (0.2 + 0.25 * (i % 4)) + 0.03);
  const y = floats(tgt, [3, 4]);
  gradcheck("mse", (x) => mseLoss(x, y), x0, [3, 4], 3);
  gradcheck("l1 none", (x) => l1Loss(x, y, { reduction: "none" }), x0, [3, 4], 4);
  gradcheck("huber delta 0.5", (x) => huberLoss(x, y, { delta: 0.5, reduction: "sum" }), x0, [3, 4], 5);
  gradcheck("smooth_l1 beta 0.6", (x) => smoothL1Loss(x, y, { beta: 0.6 }), x0, [3, 4], 6);
  // And with respect to the target.
  const xt = floats(x0, [3, 4]);
  gradcheck("mse wrt target", (t) => mseLoss(xt, t, { reduction: "none" }), tgt, [3, 4], 7);
});

// Cross entropy / nll reference on [N, C, d1, ...] (or [C]) with plain loops.
interface ClassRefOpts {
  weight?: number[];
  ignoreIndex?: number;
  reduction: Red;
  ls?: number;
}
function logSoftmaxRef(x: readonly number[], N: number, C: number, S: number): number[] {
  const out = new Array<number>(x.length);
  for (let n = 0; n < N; n++) {
    for (let s = 0; s < S; s++) {
      let m = -Infinity;
      for (let c = 0; c < C; c++) m = Math.max(m, x[(n * C + c) * S + s]);
      let z = 0;
      for (let c = 0; c < C; c++) z += Math.exp(x[(n * C + c) * S + s] - m);
      for (let c = 0; c < C; c++) out[(n * C + c) * S + s] = x[(n * C + c) * S + s] - m - Math.log(z);
    }
  }
  return out;
}
function layoutOf(shape: readonly number[]): [number, number, number] {
  if (shape.length === 1) return [1, shape[0], 1];
  return [shape[0], shape[1], prodOf(shape.slice(2))];
}
function classIndexRef(lp: readonly number[], shape: readonly number[], target: readonly number[], o: ClassRefOpts): number[] {
  const [N, C, S] = layoutOf(shape);
  const ign = o.ignoreIndex ?? -100;
  const ls = o.ls ?? 0;
  const w = (c: number): number => (o.weight ? o.weight[c] : 1);
  const nll: number[] = [];
  const smooth: number[] = [];
  let wsum = 0;
  for (let n = 0; n < N; n++) {
    for (let s = 0; s < S; s++) {
      const t = target[n * S + s];
      if (t === ign) {
        nll.push(0);
        smooth.push(0);
        continue;
      }
      wsum += w(t);
      nll.push(-lp[(n * C + t) * S + s] * w(t));
      let sm = 0;
      for (let c = 0; c < C; c++) sm -= lp[(n * C + c) * S + s] * w(c);
      smooth.push(sm);
    }
  }
  const mix = (a: number, b: number): number => (1 - ls) * a + (ls / C) * b;
  if (o.reduction === "none") return nll.map((a, i) => mix(a, smooth[i]));
  const sn = nll.reduce((p, q) => p + q, 0);
  const ss = smooth.reduce((p, q) => p + q, 0);
  return o.reduction === "sum" ? [mix(sn, ss)] : [mix(sn / wsum, ss / wsum)];
}
function classProbRef(lp: readonly number[], shape: readonly number[], probs: readonly number[], o: ClassRefOpts): number[] {
  const [N, C, S] = layoutOf(shape);
  const ls = o.ls ?? 0;
  const el: number[] = [];
  for (let n = 0; n < N; n++) {
    for (let s = 0; s < S; s++) {
      let v = 0;
      for (let c = 0; c < C; c++) {
        const i = (n * C + c) * S + s;
        v -= lp[i] * (probs[i] * (1 - ls) + ls / C) * (o.weight ? o.weight[c] : 1);
      }
      el.push(v);
    }
  }
  return reduceRef(el, o.reduction);
}

test("crossEntropy with class indices: weights, ignoreIndex, label smoothing, K dims, every reduction", () => {
  const r = rng(10);
  const shapes: number[][] = [[6, 4], [3, 4, 5], [2, 3, 2, 3], [5]];
  for (const shape of shapes) {
    const [N, C, S] = layoutOf(shape);
    const x = uniform(r, prodOf(shape), -4, 4);
    const lp = logSoftmaxRef(x, N, C, S);
    const tshape = shape.length === 1 ? [] : [shape[0], ...shape.slice(2)];
    // Some targets set to the ignore index (both the default and a class-valued one).
    const tgt = randInts(r, N * S, C);
    const tgtIgn = tgt.map((t, i) => (i % 3 === 1 ? -100 : t));
    const weight = uniform(r, C, 0.2, 2);
    const variants: [string, number[], ClassRefOpts & { ce?: object }][] = [];
    for (const reduction of REDUCTIONS) {
      for (const ls of [0, 0.15]) {
        variants.push([`plain ls=${ls}`, tgt, { reduction, ls }]);
        variants.push([`weight ls=${ls}`, tgt, { reduction, ls, weight }]);
        variants.push([`ignore -100 ls=${ls}`, tgtIgn, { reduction, ls, weight }]);
        variants.push([`ignore class 1 ls=${ls}`, tgt, { reduction, ls, weight, ignoreIndex: 1 }]);
      }
    }
    for (const [name, t, o] of variants) {
      if (shape.length === 1 && t[0] === (o.ignoreIndex ?? -100) && o.reduction === "mean") continue; // 0/0, checked below
      const out = crossEntropy(floats(x, shape), ints(t, tshape), {
        reduction: o.reduction,
        labelSmoothing: o.ls,
        weight: o.weight ? floats(o.weight, [C]) : undefined,
        ignoreIndex: o.ignoreIndex,
      });
      assert.deepEqual(out.shape, o.reduction === "none" ? tshape : [], `${shape} ${name}`);
      assertClose(vals(out), classIndexRef(lp, shape, t, o), `cross_entropy ${fmt(shape)} ${name} ${o.reduction}`, ...REF);
    }
  }
});

const fmt = (s: readonly number[]): string => `[${s.join(", ")}]`;

test("crossEntropy: all targets ignored give NaN for the mean and 0 for the sum, as in PyTorch", () => {
  const x = floats([1, 2, 3, 4, 5, 6], [2, 3]);
  const t = ints([-100, -100], [2]);
  assert.ok(Number.isNaN(crossEntropy(x, t).item()));
  assert.equal(crossEntropy(x, t, { reduction: "sum" }).item(), 0);
  assert.deepEqual(vals(crossEntropy(x, t, { reduction: "none" })), [0, 0]);
});

test("crossEntropy with class probabilities: weights, label smoothing, K dims, every reduction", () => {
  const r = rng(11);
  for (const shape of [[4, 3], [2, 3, 4], [5]]) {
    const [N, C, S] = layoutOf(shape);
    const x = uniform(r, prodOf(shape), -3, 3);
    const lp = logSoftmaxRef(x, N, C, S);
    // Rows of probabilities (softmax of random numbers), so each (n, s) sums to 1.
    const probs = logSoftmaxRef(uniform(r, prodOf(shape), -2, 2), N, C, S).map(Math.exp);
    const weight = uniform(r, C, 0.3, 1.7);
    for (const reduction of REDUCTIONS) {
      for (const ls of [0, 0.2]) {
        for (const w of [undefined, weight]) {
          const out = crossEntropy(floats(x, shape), floats(probs, shape), { reduction, labelSmoothing: ls, weight: w ? floats(w, [C]) : null });
          const o = { reduction, ls, weight: w };
          assertClose(vals(out), classProbRef(lp, shape, probs, o), `cross_entropy probs ${fmt(shape)} ${reduction} ls=${ls} w=${!!w}`, ...REF);
        }
      }
    }
  }
});

test("nllLoss matches a loop reference (weights, ignoreIndex, K dims, every reduction)", () => {
  const r = rng(12);
  for (const shape of [[5, 4], [2, 4, 3], [4]]) {
    const [N, C, S] = layoutOf(shape);
    const lp = uniform(r, prodOf(shape), -5, 0);
    const tshape = shape.length === 1 ? [] : [shape[0], ...shape.slice(2)];
    const t = randInts(r, N * S, C).map((v, i) => (i % 4 === 2 ? 7 : v));
    const weight = uniform(r, C, 0.1, 3);
    for (const reduction of REDUCTIONS) {
      for (const w of [undefined, weight]) {
        const o = { reduction, weight: w, ignoreIndex: 7 };
        const out = nllLoss(floats(lp, shape), ints(t, tshape), { reduction, weight: w ? floats(w, [C]) : null, ignoreIndex: 7 });
        assertClose(vals(out), classIndexRef(lp, shape, t, o), `nll_loss ${fmt(shape)} ${reduction} w=${!!w}`, ...REF);
      }
    }
  }
});

test("classification losses: finite-difference gradients and second order", () => {
  const r = rng(13);
  const x0 = uniform(r, 3 * 4 * 2, -2, 2);
  const w = floats([0.5, 1.5, 1, 2], [4]);
  const t = ints([0, 3, -100, 2, 1, 1], [3, 2]);
  gradcheck("cross_entropy K-dim weight+ignore+smoothing", (x) => crossEntropy(x, t, { weight: w, labelSmoothing: 0.1 }), x0, [3, 4, 2], 14);
  gradcheck("cross_entropy none", (x) => crossEntropy(x, ints([1, 0, 3], [3]), { reduction: "none" }), x0.slice(0, 12), [3, 4], 15);
  const probs = floats(logSoftmaxRef(uniform(r, 12, -1, 1), 3, 4, 1).map(Math.exp), [3, 4]);
  gradcheck("cross_entropy probabilities", (x) => crossEntropy(x, probs, { weight: w, labelSmoothing: 0.2 }), x0.slice(0, 12), [3, 4], 16);
  // nll is linear in its input; composed with log_softmax its second order is not trivial.
  gradcheck("nll_loss", (x) => nllLoss(x, ints([2, -1, 0], [3]), { weight: w, ignoreIndex: -1 }), x0.slice(0, 12), [3, 4], 17);
  gradcheck("nll_loss(log_softmax)", (x) => nllLoss(logSoftmax(x, 1), ints([2, 1, 0], [3]), { weight: w, reduction: "sum" }), x0.slice(0, 12), [3, 4], 18);
  // Gradient with respect to soft targets.
  const xs = floats(x0.slice(0, 12), [3, 4]);
  gradcheck("cross_entropy wrt probabilities", (p) => crossEntropy(xs, p, { labelSmoothing: 0.1 }), vals(probs), [3, 4], 19);
});

// Binary cross entropy references.
function bceRef(p: readonly number[], t: readonly number[], w: (i: number) => number, reduction: Red): number[] {
  const el = p.map((pi, i) => -w(i) * (t[i] * Math.max(Math.log(pi), -100) + (1 - t[i]) * Math.max(Math.log(1 - pi), -100)));
  return reduceRef(el, reduction);
}
/** log(1 + e^-x), computed two ways by sign so neither overflows. */
const log1pExpNeg = (x: number): number => (x >= 0 ? Math.log1p(Math.exp(-x)) : -x + Math.log1p(Math.exp(x)));
function bceLogitsRef(x: readonly number[], t: readonly number[], w: (i: number) => number, pw: (i: number) => number, reduction: Red): number[] {
  const el = x.map((xi, i) => w(i) * ((1 - t[i]) * xi + (1 + (pw(i) - 1) * t[i]) * log1pExpNeg(xi)));
  return reduceRef(el, reduction);
}

test("binaryCrossEntropy matches a loop reference (weights, every reduction, the -100 clamp)", () => {
  const r = rng(20);
  const shape = [4, 3];
  const p = uniform(r, 12, 0.02, 0.98);
  p[0] = 0; // log clamps to -100
  p[1] = 1;
  p[2] = 1e-50; // log(1e-50) = -115 → -100 (a float64 value; float32 flushes it to 0 anyway)
  const t = uniform(r, 12, 0, 1);
  t[0] = 1;
  t[1] = 0.25;
  t[2] = 0.5;
  const wRow = uniform(r, 3, 0.5, 2);
  for (const reduction of REDUCTIONS) {
    for (const w of [undefined, wRow]) {
      const out = binaryCrossEntropy(floats(p, shape), floats(t, shape), { reduction, weight: w ? floats(w, [3]) : null });
      assertClose(vals(out), bceRef(p, t, (i) => (w ? w[i % 3] : 1), reduction), `bce ${reduction} w=${!!w}`, ...REF);
    }
  }
  // The clamped ends have finite gradients.
  const x = floats(p, shape, "float64", true);
  const [g] = grad(binaryCrossEntropy(x, floats(t, shape)), [x]) as Tensor[];
  assert.ok(vals(g).every(Number.isFinite), `bce gradient at 0 and 1: ${vals(g)}`);
});

test("binaryCrossEntropyWithLogits matches a loop reference (weight, posWeight, every reduction)", () => {
  const r = rng(21);
  const shape = [4, 3];
  const x = uniform(r, 12, -6, 6);
  x[5] = 0;
  const t = uniform(r, 12, 0, 1).map((v, i) => (i % 2 ? Math.round(v) : v));
  const w = uniform(r, 12, 0.5, 2);
  const pw = uniform(r, 3, 0.3, 4);
  for (const reduction of REDUCTIONS) {
    for (const useW of [false, true]) {
      for (const usePw of [false, true]) {
        const out = binaryCrossEntropyWithLogits(floats(x, shape), floats(t, shape), {
          reduction,
          weight: useW ? floats(w, shape) : null,
          posWeight: usePw ? floats(pw, [3]) : null,
        });
        const ref = bceLogitsRef(x, t, (i) => (useW ? w[i] : 1), (i) => (usePw ? pw[i % 3] : 1), reduction);
        assertClose(vals(out), ref, `bce_with_logits ${reduction} w=${useW} pw=${usePw}`, ...REF);
      }
    }
  }
});

test("binary cross entropies: finite-difference gradients and second order", () => {
  const r = rng(22);
  const t = floats(uniform(r, 8, 0, 1), [2, 4]);
  gradcheck("bce", (p) => binaryCrossEntropy(p, t, { weight: floats([1, 2, 0.5, 1], [4]) }), uniform(r, 8, 0.1, 0.9), [2, 4], 23);
  const x0 = uniform(r, 8, -3, 3);
  x0[3] = 0; // the stable form's branch point: gradient sigmoid(0) - t, second derivative 1/4
  gradcheck("bce_with_logits posWeight", (x) => binaryCrossEntropyWithLogits(x, t, { posWeight: floats([2, 0.5, 1, 3], [4]), reduction: "none" }), x0, [2, 4], 24);
  gradcheck("bce_with_logits weight", (x) => binaryCrossEntropyWithLogits(x, t, { weight: floats([1.5], [1]) }), x0, [2, 4], 25);
  const xs = floats(x0, [2, 4]);
  gradcheck("bce_with_logits wrt target", (tt) => binaryCrossEntropyWithLogits(xs, tt, { posWeight: floats([2], [1]) }), vals(t), [2, 4], 26);
});

test("bce_with_logits at logit 0: gradient sigmoid(0) - t exactly, second derivative 1/4", () => {
  const x = floats([0, 0], [2], "float64", true);
  const t = floats([0, 1], [2]);
  const [g] = grad(binaryCrossEntropyWithLogits(x, t, { reduction: "sum" }), [x], { createGraph: true }) as Tensor[];
  assert.deepEqual(vals(g), [0.5, -0.5]);
  const [h] = grad(sum(g), [x]) as Tensor[];
  assert.deepEqual(vals(h), [0.25, 0.25]);
});

// ------------------------------------------------------------------ stability

for (const dtype of ["float32", "float64"] as const) {
  test(`logits of ±1000 give finite losses and gradients (${dtype})`, () => {
    const logits = [1000, -1000, 0, -1000, 1000, 999, 500, -500, -1000];
    const finite = (t: Tensor, what: string): void => assert.ok(vals(t).every(Number.isFinite), `${what}: ${vals(t)}`);
    const ceCalls: [string, (x: Tensor) => Tensor][] = [
      ["ce", (x) => crossEntropy(x, ints([1, 0, 2], [3]))],
      ["ce smoothing+weight", (x) => crossEntropy(x, ints([1, 0, 2], [3]), { labelSmoothing: 0.1, weight: floats([1, 2, 3], [3], dtype) })],
      ["ce probabilities", (x) => crossEntropy(x, floats([0.2, 0.3, 0.5, 1, 0, 0, 0, 0.5, 0.5], [3, 3], dtype))],
      ["bce logits", (x) => binaryCrossEntropyWithLogits(x, floats([0, 1, 0.5, 1, 0, 1, 0, 1, 0], [3, 3], dtype), { posWeight: floats([2, 1, 0.5], [3], dtype) })],
    ];
    for (const [what, f] of ceCalls) {
      const x = floats(logits, [3, 3], dtype, true);
      const loss = f(x);
      finite(loss, what);
      finite((grad(loss, [x]) as Tensor[])[0], `${what} gradient`);
    }
    // Exact values: a confident right answer costs 0, a confident wrong one its margin.
    const ce = crossEntropy(floats([1000, -1000, -1000, 1000], [2, 2], dtype), ints([0, 0], [2]), { reduction: "none" });
    assertClose(vals(ce), [0, 2000], "ce ±1000", ...tol(dtype));
    const bl = binaryCrossEntropyWithLogits(floats([1000, -1000, 1000, -1000], [4], dtype), floats([1, 0, 0, 1], [4], dtype), { reduction: "none" });
    assertClose(vals(bl), [0, 0, 1000, 1000], "bce logits ±1000", ...tol(dtype));
  });
}

// ------------------------------------------------------------------ the article's pitfall

const PITFALL = "Using a target size ([200]) that is different to the input size ([200, 1]). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.";

test("regression losses warn when the target size differs from the input size, like PyTorch", () => {
  const r = rng(30);
  const pred = floats(uniform(r, 200, -1, 1), [200, 1]);
  const labels = floats(uniform(r, 200, -1, 1), [200]);
  const calls: [string, () => Tensor][] = [
    ["mse_loss", () => mseLoss(pred, labels)],
    ["l1_loss", () => l1Loss(pred, labels)],
    ["huber_loss", () => huberLoss(pred, labels)],
    ["smooth_l1_loss", () => smoothL1Loss(pred, labels)],
  ];
  for (const [op, f] of calls) {
    let out: Tensor | null = null;
    const seen = captureWarnings(() => {
      out = f();
    });
    assert.deepEqual(seen, [`${op}: ${PITFALL}`]);
    assert.ok(out !== null);
  }
  // What the warning is about: the mean runs over the broadcast [200, 200] differences.
  let ref = 0;
  for (let i = 0; i < 200; i++) for (let j = 0; j < 200; j++) ref += (pred.storage[i] - labels.storage[j]) ** 2;
  const got = captureWarnings(() => assertClose([mseLoss(pred, labels).item()], [ref / 40000], "broadcast mse", ...REF));
  assert.equal(got.length, 1);
  // Equal shapes, and a reshaped label, give no warning; a custom handler sees repeats too.
  const same = captureWarnings(() => {
    mseLoss(pred, labels.reshape(-1, 1));
    l1Loss(pred, pred);
    huberLoss(labels, labels);
    smoothL1Loss(labels, labels);
  });
  assert.deepEqual(same, []);
  assert.equal(captureWarnings(() => [1, 2, 3].forEach(() => mseLoss(pred, labels))).length, 3);
});

test("the default warning handler prints each distinct message once", () => {
  const printed: unknown[][] = [];
  const orig = console.warn;
  console.warn = (...args: unknown[]) => void printed.push(args);
  const prev = setWarningHandler(null);
  try {
    const a = floats([1, 2, 3], [3, 1]);
    const b = floats([1, 2, 3], [3]);
    const c = floats([1, 2, 3, 4], [4]);
    mseLoss(a, b);
    mseLoss(a, b);
    l1Loss(a, b);
    mseLoss(floats([1], [1]), c);
    mseLoss(a, b);
  } finally {
    setWarningHandler(prev);
    console.warn = orig;
  }
  assert.equal(printed.length, 3);
  assert.match(String(printed[0][0]), /mse_loss: Using a target size \(\[3\]\) that is different to the input size \(\[3, 1\]\)/);
});

// ------------------------------------------------------------------ validation

test("losses validate their arguments with clear errors and leave the inputs unchanged", () => {
  const x = floats([0.1, 0.9, 0.2, 0.4, 0.3, 0.6], [2, 3], "float32", true);
  const before = vals(x);
  const version = x.version;
  const throwsLike = (f: () => unknown, type: Function, re: RegExp): void => {
    const seen = captureWarnings(() => assert.throws(f, (e: unknown) => e instanceof type && re.test((e as Error).message), String(re)));
    assert.deepEqual(seen, [], "no warning for a call that fails");
  };
  // Class index out of range (not ignoreIndex), negative too.
  throwsLike(() => crossEntropy(x, ints([0, 3], [2])), IndexError, /cross_entropy: Target 3 is out of bounds.*\[0, 2\]/);
  throwsLike(() => crossEntropy(x, ints([-1, 0], [2])), IndexError, /Target -1 is out of bounds/);
  throwsLike(() => nllLoss(x, ints([5, 0], [2]), { ignoreIndex: 4 }), IndexError, /nll_loss: Target 5/);
  // Float targets where indices are expected (shapes that are not the input's).
  throwsLike(() => crossEntropy(x, floats([0, 1], [2])), DTypeError, /cross_entropy: expected class indices \(int32\) of shape \[2\].*float64 of shape \[2\]/);
  // Integer targets of the input's shape are read as probabilities, which must be float.
  throwsLike(() => crossEntropy(x, ints([0, 1, 0, 0, 0, 1], [2, 3])), DTypeError, /class probabilities.*int32/);
  throwsLike(() => crossEntropy(x, floats(before, [2, 3]), { ignoreIndex: 0 }), ValueError, /ignoreIndex/);
  // Integer inputs.
  throwsLike(() => crossEntropy(ints([1, 2, 3, 4, 5, 6], [2, 3]), ints([0, 1], [2])), DTypeError, /cross_entropy: expected a floating point input, got int32 \(shape \[2, 3\]\)/);
  throwsLike(() => mseLoss(ints([1, 2], [2]), ints([1, 2], [2])), DTypeError, /mse_loss: expected floating point input or target/);
  throwsLike(() => binaryCrossEntropyWithLogits(ints([1, 2], [2]), floats([1, 0], [2])), DTypeError, /binary_cross_entropy_with_logits: expected a floating point input/);
  // Shapes.
  throwsLike(() => mseLoss(x, floats([1, 2], [2])), ShapeError, /mse_loss: .*\(shapes \[2, 3\] and \[2\]\)/);
  throwsLike(() => crossEntropy(x, ints([0, 1, 2], [3])), ShapeError, /cross_entropy: expected target of shape \[2\] for input of shape \[2, 3\], got \[3\]/);
  throwsLike(() => crossEntropy(floats([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]), ints([0, 1, 0], [3])), ShapeError, /expected target of shape \[2, 2\]/);
  throwsLike(() => crossEntropy(x, ints([0, 1], [2]), { weight: floats([1, 2], [2]) }), ShapeError, /weight tensor should be defined either for all 3 classes.*\[2\]/);
  throwsLike(() => binaryCrossEntropyWithLogits(x, floats([1, 0, 1], [3])), ShapeError, /target size \(\[3\]\).*input size \(\[2, 3\]\)/);
  throwsLike(() => binaryCrossEntropy(x, floats(before, [2, 3]), { weight: floats([1, 2], [2]) }), ShapeError, /weight of shape \[2\] cannot be broadcast to the input shape \[2, 3\]/);
  throwsLike(() => binaryCrossEntropyWithLogits(x, floats(before, [2, 3]), { posWeight: floats([1, 2, 3, 4], [4]) }), ShapeError, /posWeight of shape \[4\]/);
  // Values and options.
  throwsLike(() => binaryCrossEntropy(floats([0.5, 1.5], [2]), floats([1, 0], [2])), ValueError, /all elements of input should be between 0 and 1, got 1.5/);
  throwsLike(() => binaryCrossEntropy(floats([0.5, 0.5], [2]), floats([2, 0], [2])), ValueError, /all elements of target should be between 0 and 1/);
  throwsLike(() => mseLoss(x, x, { reduction: "avg" as Red }), ValueError, /mse_loss: "avg" is not a valid value for reduction/);
  throwsLike(() => crossEntropy(x, ints([0, 1], [2]), { labelSmoothing: 1.5 }), ValueError, /labelSmoothing must be between 0.0 and 1.0/);
  throwsLike(() => huberLoss(x, x, { delta: 0 }), ValueError, /huber_loss: delta must be positive/);
  throwsLike(() => smoothL1Loss(x, x, { beta: -1 }), ValueError, /smooth_l1_loss: beta must be non-negative/);
  assert.deepEqual(vals(x), before);
  assert.equal(x.version, version);
  assert.equal(x.grad, null);
});

test("losses keep the input's dtype and take float64 weights with float32 inputs", () => {
  const x = floats([0.5, -1, 2, 0.25, 1, -2], [2, 3], "float32", true);
  const t = ints([2, 0], [2]);
  const w64 = floats([1, 2, 3], [3], "float64");
  const out = crossEntropy(x, t, { weight: w64 });
  assert.equal(out.dtype, "float32");
  const ref = classIndexRef(logSoftmaxRef(vals(x), 2, 3, 1), [2, 3], [2, 0], { reduction: "mean", weight: [1, 2, 3] });
  assertClose(vals(out), ref, "float32 weighted ce", 1e-5, 1e-4);
  assert.equal(binaryCrossEntropyWithLogits(x, floats([0, 1, 0, 1, 1, 0], [2, 3], "float32"), { posWeight: w64 }).dtype, "float32");
  assert.equal(mseLoss(x, floats([0, 1, 0, 1, 1, 0], [2, 3], "float32")).dtype, "float32");
});
