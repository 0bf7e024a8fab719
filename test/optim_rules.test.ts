// The optimizer update rules (src/optim) against independent float64 implementations of the
// published formulas (PyTorch 1.13 torch.optim docs and single-tensor code, TF ≥ 2.11
// tf.keras.optimizers), written here on plain arrays. Every algorithm, both styles, every option.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fromBuffer, Tensor, DTypeError, ShapeError, ValueError, isGradEnabled, noGrad } from "../src/index.js";
import {
  sgdStep, sgdDefaults, adamStep, adamDefaults, rmspropStep, rmspropDefaults, adagradStep, adagradDefaults,
  stepLR, multiStepLR, exponentialLR, cosineAnnealingLR, linearLR,
  exponentialDecay, piecewiseConstantDecay, inverseTimeDecay, polynomialDecay, cosineDecay,
  type ParamState, type SgdHyper, type AdamHyper, type RmspropHyper, type AdagradHyper,
} from "../src/optim/index.js";
import { uniform as seededUniform } from "./arbitraries.js";

// ---------------------------------------------------------------- data

const SHAPE = [2, 3];
const N = 6;
const STEPS = 7;

/** A seeded generator (mulberry32, shared with the property tests) of uniforms in [-1, 1). */
function rng(seed: number): () => number {
  const u = seededUniform(seed);
  return () => u() * 2 - 1;
}

// Step sizes vary so that the second moment sometimes falls (AMSGrad's max then matters).
const SCALES = [1, 3, 0.1, 0.5, 2, 0.05, 1.5];

function problem(seed: number): { p0: number[]; grads: number[][] } {
  const r = rng(seed);
  const p0 = Array.from({ length: N }, () => 2 * r());
  const grads = SCALES.slice(0, STEPS).map((s) => Array.from({ length: N }, () => s * r()));
  return { p0, grads };
}

const f64 = (xs: readonly number[]): Tensor => fromBuffer(Float64Array.from(xs), SHAPE);
const f32 = (xs: readonly number[]): Tensor => fromBuffer(Float32Array.from(xs), SHAPE);
const values = (t: Tensor): number[] => Array.from(t.storage as Float64Array);

function assertClose(got: readonly number[], want: readonly number[], what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]);
    // Relative to the value, with a floor for values that cancel to (near) zero.
    const tol = 1e-12 * Math.max(Math.abs(want[i]), 1e-6);
    assert.ok(err <= tol, `${what}[${i}]: got ${got[i]}, want ${want[i]} (difference ${err}, tolerance ${tol})`);
  }
}

// ---------------------------------------------------------------- reference formulas

/** Reference state: named arrays (the impl's state key each maps to) and the step count. */
type RefState = { t: number; arrays: Record<string, number[]> };
type RefStep<H> = (p: number[], g: readonly number[], s: RefState, h: H) => void;

const arr = (s: RefState, key: string, init: number): number[] => (s.arrays[key] ??= new Array(N).fill(init));

// torch.optim.SGD: g += wd·p; b = g (first), b = μb + (1−τ)g; g = g + μb (nesterov) or b; p −= lr·g.
const refTorchSgd: RefStep<SgdHyper> = (p, g0, s, h) => {
  s.t++;
  const first = !("momentum_buffer" in s.arrays);
  const b = h.momentum !== 0 ? arr(s, "momentum_buffer", 0) : [];
  for (let i = 0; i < N; i++) {
    let g = h.maximize ? -g0[i] : g0[i];
    g += h.weightDecay * p[i];
    if (h.momentum !== 0) {
      b[i] = first ? g : h.momentum * b[i] + (1 - h.dampening) * g;
      g = h.nesterov ? g + h.momentum * b[i] : b[i];
    }
    p[i] -= h.lr * g;
  }
};

// tf.keras.optimizers.SGD: p −= lr·wd·p; v = μv − lr·g; p += v (nesterov: p += μv − lr·g).
const refKerasSgd: RefStep<SgdHyper> = (p, g0, s, h) => {
  s.t++;
  const v = h.momentum !== 0 ? arr(s, "m", 0) : [];
  for (let i = 0; i < N; i++) {
    p[i] -= h.lr * h.weightDecay * p[i];
    const g = h.maximize ? -g0[i] : g0[i];
    if (h.momentum === 0) {
      p[i] -= h.lr * g;
      continue;
    }
    v[i] = h.momentum * v[i] - h.lr * g;
    p[i] += h.nesterov ? h.momentum * v[i] - h.lr * g : v[i];
  }
};

// torch.optim.Adam / AdamW: m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ) (max of v for amsgrad); p −= lr·m̂/(√v̂ + ε).
const refTorchAdam: RefStep<AdamHyper> = (p, g0, s, h) => {
  const t = ++s.t;
  const m = arr(s, "exp_avg", 0);
  const v = arr(s, "exp_avg_sq", 0);
  const vmax = h.amsgrad ? arr(s, "max_exp_avg_sq", 0) : [];
  for (let i = 0; i < N; i++) {
    let g = h.maximize ? -g0[i] : g0[i];
    if (h.decoupledWeightDecay) p[i] *= 1 - h.lr * h.weightDecay;
    else g += h.weightDecay * p[i];
    m[i] = h.beta1 * m[i] + (1 - h.beta1) * g;
    v[i] = h.beta2 * v[i] + (1 - h.beta2) * g * g;
    let vv = v[i];
    if (h.amsgrad) vv = vmax[i] = Math.max(vmax[i], v[i]);
    const mHat = m[i] / (1 - Math.pow(h.beta1, t));
    const vHat = vv / (1 - Math.pow(h.beta2, t));
    p[i] -= (h.lr * mHat) / (Math.sqrt(vHat) + h.eps);
  }
};

// tf.keras.optimizers.Adam: lr_t = lr·√(1−β2ᵗ)/(1−β1ᵗ); p −= lr_t·m/(√v + ε̂) (v: max for amsgrad).
const refKerasAdam: RefStep<AdamHyper> = (p, g0, s, h) => {
  const t = ++s.t;
  const m = arr(s, "m", 0);
  const v = arr(s, "v", 0);
  const vhat = h.amsgrad ? arr(s, "vhat", 0) : [];
  const lrT = (h.lr * Math.sqrt(1 - Math.pow(h.beta2, t))) / (1 - Math.pow(h.beta1, t));
  for (let i = 0; i < N; i++) {
    p[i] -= h.lr * h.weightDecay * p[i];
    const g = h.maximize ? -g0[i] : g0[i];
    m[i] = h.beta1 * m[i] + (1 - h.beta1) * g;
    v[i] = h.beta2 * v[i] + (1 - h.beta2) * g * g;
    let vv = v[i];
    if (h.amsgrad) vv = vhat[i] = Math.max(vhat[i], v[i]);
    p[i] -= (lrT * m[i]) / (Math.sqrt(vv) + h.eps);
  }
};

// torch.optim.RMSprop: v = αv + (1−α)g²; d = √(v − ḡ²) + ε or √v + ε; b = μb + g/d, p −= lr·b or p −= lr·g/d.
const refTorchRmsprop: RefStep<RmspropHyper> = (p, g0, s, h) => {
  s.t++;
  const v = arr(s, "square_avg", 0);
  const ga = h.centered ? arr(s, "grad_avg", 0) : [];
  const b = h.momentum > 0 ? arr(s, "momentum_buffer", 0) : [];
  for (let i = 0; i < N; i++) {
    let g = h.maximize ? -g0[i] : g0[i];
    g += h.weightDecay * p[i];
    v[i] = h.alpha * v[i] + (1 - h.alpha) * g * g;
    let d: number;
    if (h.centered) {
      ga[i] = h.alpha * ga[i] + (1 - h.alpha) * g;
      d = Math.sqrt(v[i] - ga[i] * ga[i]) + h.eps;
    } else d = Math.sqrt(v[i]) + h.eps;
    if (h.momentum > 0) {
      b[i] = h.momentum * b[i] + g / d;
      p[i] -= h.lr * b[i];
    } else p[i] -= (h.lr * g) / d;
  }
};

// tf.keras.optimizers.RMSprop: v = ρv + (1−ρ)g²; d = v − ḡ² + ε or v + ε; inc = lr·g/√d; b = μb + inc, p −= b or p −= inc.
const refKerasRmsprop: RefStep<RmspropHyper> = (p, g0, s, h) => {
  s.t++;
  const v = arr(s, "velocity", 0);
  const ga = h.centered ? arr(s, "average_gradient", 0) : [];
  const b = h.momentum > 0 ? arr(s, "momentum", 0) : [];
  for (let i = 0; i < N; i++) {
    p[i] -= h.lr * h.weightDecay * p[i];
    const g = h.maximize ? -g0[i] : g0[i];
    v[i] = h.alpha * v[i] + (1 - h.alpha) * g * g;
    let d: number;
    if (h.centered) {
      ga[i] = h.alpha * ga[i] + (1 - h.alpha) * g;
      d = v[i] - ga[i] * ga[i] + h.eps;
    } else d = v[i] + h.eps;
    const inc = (h.lr * g) / Math.sqrt(d);
    if (h.momentum > 0) {
      b[i] = h.momentum * b[i] + inc;
      p[i] -= b[i];
    } else p[i] -= inc;
  }
};

// torch.optim.Adagrad: clr = lr/(1 + (t−1)·lr_decay); s += g²; p −= clr·g/(√s + ε).
const refTorchAdagrad: RefStep<AdagradHyper> = (p, g0, s, h) => {
  const t = ++s.t;
  const acc = arr(s, "sum", h.initialAccumulatorValue);
  const clr = h.lr / (1 + (t - 1) * h.lrDecay);
  for (let i = 0; i < N; i++) {
    let g = h.maximize ? -g0[i] : g0[i];
    g += h.weightDecay * p[i];
    acc[i] += g * g;
    p[i] -= (clr * g) / (Math.sqrt(acc[i]) + h.eps);
  }
};

// tf.keras.optimizers.Adagrad: s += g²; p −= lr·g/√(s + ε).
const refKerasAdagrad: RefStep<AdagradHyper> = (p, g0, s, h) => {
  s.t++;
  const acc = arr(s, "accumulator", h.initialAccumulatorValue);
  for (let i = 0; i < N; i++) {
    p[i] -= h.lr * h.weightDecay * p[i];
    const g = h.maximize ? -g0[i] : g0[i];
    acc[i] += g * g;
    p[i] -= (h.lr * g) / Math.sqrt(acc[i] + h.eps);
  }
};

// ---------------------------------------------------------------- the comparison

type Impl<H> = (param: Tensor, grad: Tensor, state: ParamState, h: H) => void;

/** Runs impl and reference side by side, comparing the parameter and every state array after each step. */
function runBoth<H>(impl: Impl<H>, ref: RefStep<H>, h: H, seed: number): number[] {
  const { p0, grads } = problem(seed);
  const param = f64(p0);
  const storage = param.storage;
  const state: ParamState = {};
  const p = p0.slice();
  const rs: RefState = { t: 0, arrays: {} };
  for (let k = 0; k < grads.length; k++) {
    const grad = f64(grads[k]);
    impl(param, grad, state, h);
    ref(p, grads[k], rs, h);
    const at = `step ${k + 1}`;
    assertClose(values(param), p, `${at}: param`);
    assert.equal(param.storage, storage, "the parameter keeps its storage");
    assert.deepEqual(values(grad), grads[k], "the gradient is not modified");
    assert.equal(state.step, rs.t, `${at}: state.step`);
    assert.deepEqual(Object.keys(state).filter((key) => key !== "step").sort(), Object.keys(rs.arrays).sort(), `${at}: state keys`);
    for (const [key, want] of Object.entries(rs.arrays)) {
      const t = state[key];
      assert.ok(t instanceof Tensor, `${at}: state.${key} is a tensor`);
      assert.equal(t.dtype, "float64");
      assert.deepEqual(t.shape, SHAPE);
      assertClose(values(t), want, `${at}: state.${key}`);
    }
  }
  return values(param);
}

interface Case<H> {
  name: string;
  h: Partial<H>;
}

/**
 * One test per option set; each non-base option set must also change the result (else the
 * comparison would not show that the option is implemented).
 */
function suite<H extends { style: "torch" | "keras" }>(
  algo: string, defaults: (s: "torch" | "keras") => H, impl: Impl<H>,
  refs: { torch: RefStep<H>; keras: RefStep<H> }, cases: { torch: Case<H>[]; keras: Case<H>[] },
): void {
  for (const style of ["torch", "keras"] as const) {
    cases[style].forEach((c, n) => {
      test(`${algo} (${style}) ${c.name} matches the published formula over ${STEPS} steps`, () => {
        const h = { ...defaults(style), ...c.h };
        const got = runBoth(impl, refs[style], h, 1);
        if (n > 0) {
          const baseResult = runBoth(impl, refs[style], { ...defaults(style), ...cases[style][0].h }, 1);
          assert.notDeepEqual(got, baseResult, `${c.name} changes the result`);
        }
        runBoth(impl, refs[style], h, 2);
      });
    });
  }
}

suite<SgdHyper>("SGD", sgdDefaults, sgdStep, { torch: refTorchSgd, keras: refKerasSgd }, {
  torch: [
    { name: "plain", h: { lr: 0.1 } },
    { name: "momentum", h: { lr: 0.1, momentum: 0.9 } },
    { name: "momentum + dampening", h: { lr: 0.1, momentum: 0.9, dampening: 0.3 } },
    { name: "nesterov", h: { lr: 0.1, momentum: 0.9, nesterov: true } },
    { name: "weight decay", h: { lr: 0.1, weightDecay: 0.05 } },
    { name: "maximize", h: { lr: 0.1, maximize: true } },
    { name: "momentum + dampening + weight decay + maximize", h: { lr: 0.1, momentum: 0.8, dampening: 0.5, weightDecay: 0.1, maximize: true } },
    { name: "nesterov + weight decay + maximize", h: { lr: 0.05, momentum: 0.7, nesterov: true, weightDecay: 0.2, maximize: true } },
  ],
  keras: [
    { name: "plain", h: { lr: 0.1 } },
    { name: "momentum", h: { lr: 0.1, momentum: 0.9 } },
    { name: "nesterov", h: { lr: 0.1, momentum: 0.9, nesterov: true } },
    { name: "weight decay", h: { lr: 0.1, weightDecay: 0.05 } },
    { name: "maximize", h: { lr: 0.1, maximize: true } },
    { name: "nesterov + weight decay + maximize", h: { lr: 0.05, momentum: 0.7, nesterov: true, weightDecay: 0.2, maximize: true } },
  ],
});

suite<AdamHyper>("Adam", adamDefaults, adamStep, { torch: refTorchAdam, keras: refKerasAdam }, {
  torch: [
    { name: "defaults", h: { lr: 0.01 } },
    { name: "large eps", h: { lr: 0.01, eps: 0.1 } },
    { name: "betas", h: { lr: 0.01, beta1: 0.5, beta2: 0.8 } },
    { name: "amsgrad", h: { lr: 0.01, amsgrad: true } },
    { name: "weight decay (L2)", h: { lr: 0.01, weightDecay: 0.1 } },
    { name: "AdamW (decoupled weight decay)", h: { lr: 0.01, weightDecay: 0.1, decoupledWeightDecay: true } },
    { name: "maximize", h: { lr: 0.01, maximize: true } },
    { name: "amsgrad + L2 + maximize + eps", h: { lr: 0.02, beta1: 0.8, beta2: 0.9, eps: 0.05, amsgrad: true, weightDecay: 0.3, maximize: true } },
    { name: "AdamW + amsgrad + maximize", h: { lr: 0.02, beta1: 0.8, beta2: 0.9, amsgrad: true, weightDecay: 0.3, decoupledWeightDecay: true, maximize: true } },
  ],
  keras: [
    { name: "defaults", h: { lr: 0.01 } },
    { name: "large eps", h: { lr: 0.01, eps: 0.1 } },
    { name: "betas", h: { lr: 0.01, beta1: 0.5, beta2: 0.8 } },
    { name: "amsgrad", h: { lr: 0.01, amsgrad: true } },
    { name: "weight decay", h: { lr: 0.01, weightDecay: 0.1 } },
    { name: "AdamW (decoupled weight decay)", h: { lr: 0.01, weightDecay: 0.1, decoupledWeightDecay: true } },
    { name: "maximize", h: { lr: 0.01, maximize: true } },
    { name: "amsgrad + weight decay + maximize + eps", h: { lr: 0.02, beta1: 0.8, beta2: 0.9, eps: 0.05, amsgrad: true, weightDecay: 0.3, maximize: true } },
  ],
});

suite<RmspropHyper>("RMSprop", rmspropDefaults, rmspropStep, { torch: refTorchRmsprop, keras: refKerasRmsprop }, {
  torch: [
    { name: "defaults", h: {} },
    { name: "alpha", h: { alpha: 0.8 } },
    { name: "large eps", h: { eps: 0.1 } },
    { name: "centered", h: { centered: true } },
    { name: "momentum", h: { momentum: 0.9 } },
    { name: "weight decay", h: { weightDecay: 0.1 } },
    { name: "maximize", h: { maximize: true } },
    { name: "centered + momentum + weight decay + maximize", h: { lr: 0.02, alpha: 0.7, eps: 0.01, centered: true, momentum: 0.5, weightDecay: 0.2, maximize: true } },
  ],
  keras: [
    { name: "defaults", h: {} },
    { name: "rho", h: { alpha: 0.7 } },
    { name: "large eps", h: { eps: 0.1 } },
    { name: "centered", h: { centered: true } },
    { name: "momentum", h: { momentum: 0.9 } },
    { name: "weight decay", h: { weightDecay: 0.5 } },
    { name: "maximize", h: { maximize: true } },
    { name: "centered + momentum + weight decay + maximize", h: { lr: 0.02, alpha: 0.7, eps: 0.01, centered: true, momentum: 0.5, weightDecay: 0.2, maximize: true } },
  ],
});

suite<AdagradHyper>("Adagrad", adagradDefaults, adagradStep, { torch: refTorchAdagrad, keras: refKerasAdagrad }, {
  torch: [
    { name: "defaults", h: { lr: 0.1 } },
    { name: "lr decay", h: { lr: 0.1, lrDecay: 0.3 } },
    { name: "weight decay", h: { lr: 0.1, weightDecay: 0.2 } },
    { name: "initial accumulator", h: { lr: 0.1, initialAccumulatorValue: 0.5 } },
    { name: "large eps", h: { lr: 0.1, eps: 0.1 } },
    { name: "maximize", h: { lr: 0.1, maximize: true } },
    { name: "everything", h: { lr: 0.2, lrDecay: 0.1, weightDecay: 0.1, initialAccumulatorValue: 0.2, eps: 0.01, maximize: true } },
  ],
  keras: [
    { name: "defaults", h: { lr: 0.1 } },
    { name: "weight decay", h: { lr: 0.1, weightDecay: 0.2 } },
    { name: "zero initial accumulator", h: { lr: 0.1, initialAccumulatorValue: 0 } },
    { name: "large eps", h: { lr: 0.1, eps: 0.1 } },
    { name: "maximize", h: { lr: 0.1, maximize: true } },
    { name: "everything", h: { lr: 0.2, weightDecay: 0.1, initialAccumulatorValue: 0.3, eps: 0.01, maximize: true } },
  ],
});

test("Keras Adam's AdamW flag changes nothing: its weight decay is always decoupled", () => {
  const h = { ...adamDefaults("keras"), lr: 0.01, weightDecay: 0.1 };
  assert.deepEqual(runBoth(adamStep, refKerasAdam, { ...h, decoupledWeightDecay: false }, 3), runBoth(adamStep, refKerasAdam, { ...h, decoupledWeightDecay: true }, 3));
});

// ---------------------------------------------------------------- documented examples

test("Keras SGD docstring: with momentum 0.9 the steps are 0.1 then 0.18", () => {
  const w = fromBuffer(Float64Array.of(1), [1]);
  const s: ParamState = {};
  const h = { ...sgdDefaults("keras"), lr: 0.1, momentum: 0.9 };
  sgdStep(w, fromBuffer(Float64Array.of(w.item()), [1]), s, h); // loss = w²/2, so grad = w
  assert.ok(Math.abs(1 - w.item() - 0.1) < 1e-15);
  const w1 = w.item();
  sgdStep(w, fromBuffer(Float64Array.of(w.item()), [1]), s, h);
  assert.ok(Math.abs(w1 - w.item() - 0.18) < 1e-15);
});

test("Keras RMSprop docstring: lr 0.1 from 10 gives 9.683772 (float32)", () => {
  const w = fromBuffer(Float32Array.of(10), [1]);
  rmspropStep(w, fromBuffer(Float32Array.of(10), [1]), {}, { ...rmspropDefaults("keras"), lr: 0.1 });
  assert.equal(w.dtype, "float32");
  assert.ok(Math.abs(w.item() - 9.683772) < 1e-6, `got ${w.item()}`);
});

// ---------------------------------------------------------------- state, identity, dtype

interface Algo {
  name: string;
  step: Impl<any>;
  hyper: (style: "torch" | "keras") => any;
  keys: { torch: string[]; keras: string[] };
}

const ALGOS: Algo[] = [
  { name: "SGD", step: sgdStep, hyper: (s) => ({ ...sgdDefaults(s), lr: 0.1, momentum: 0.9 }), keys: { torch: ["momentum_buffer"], keras: ["m"] } },
  { name: "Adam", step: adamStep, hyper: (s) => ({ ...adamDefaults(s), amsgrad: true }), keys: { torch: ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"], keras: ["m", "v", "vhat"] } },
  {
    name: "RMSprop", step: rmspropStep, hyper: (s) => ({ ...rmspropDefaults(s), centered: true, momentum: 0.5 }),
    keys: { torch: ["square_avg", "grad_avg", "momentum_buffer"], keras: ["velocity", "average_gradient", "momentum"] },
  },
  { name: "Adagrad", step: adagradStep, hyper: (s) => adagradDefaults(s), keys: { torch: ["sum"], keras: ["accumulator"] } },
];

for (const a of ALGOS) {
  for (const style of ["torch", "keras"] as const) {
    test(`${a.name} (${style}): state is created on the first step and reused in place`, () => {
      const { p0, grads } = problem(5);
      const param = f64(p0);
      param.requiresGrad = true;
      const state: ParamState = {};
      assert.ok(isGradEnabled());
      a.step(param, f64(grads[0]), state, a.hyper(style));
      assert.deepEqual(Object.keys(state).sort(), ["step", ...a.keys[style]].sort());
      assert.equal(state.step, 1);
      const tensors = a.keys[style].map((k) => state[k] as Tensor);
      for (const t of tensors) {
        assert.ok(t instanceof Tensor);
        assert.equal(t.requiresGrad, false);
      }
      a.step(param, f64(grads[1]), state, a.hyper(style));
      assert.equal(state.step, 2);
      a.keys[style].forEach((k, i) => assert.equal(state[k], tensors[i], `state.${k} is the same tensor`));
      // The step ran without recording: the parameter is still a leaf that requires grad.
      assert.equal(param.requiresGrad, true);
      assert.equal(param.gradFn, null);
      assert.ok(isGradEnabled(), "grad mode is restored");
    });

    test(`${a.name} (${style}): a float32 parameter stays float32, with float32 state`, () => {
      const { p0, grads } = problem(6);
      const param = f32(p0);
      const storage = param.storage;
      const state: ParamState = {};
      a.step(param, f32(grads[0]), state, a.hyper(style));
      a.step(param, f64(grads[1]), state, a.hyper(style)); // a float64 gradient is converted
      assert.equal(param.dtype, "float32");
      assert.equal(param.storage, storage);
      assert.ok(param.storage instanceof Float32Array);
      for (const k of a.keys[style]) assert.equal((state[k] as Tensor).dtype, "float32", `state.${k}`);
      // Close to the float64 run (float32 rounding only).
      const p64 = f64(p0);
      const s64: ParamState = {};
      a.step(p64, f64(grads[0]), s64, a.hyper(style));
      a.step(p64, f64(grads[1]), s64, a.hyper(style));
      const got = Array.from(param.storage);
      values(p64).forEach((w, i) => assert.ok(Math.abs(got[i] - w) < 1e-5 * Math.max(1, Math.abs(w)), `element ${i}: ${got[i]} vs ${w}`));
    });

    test(`${a.name} (${style}): a wrong gradient or state throws before changing anything`, () => {
      const { p0, grads } = problem(7);
      const param = f64(p0);
      const state: ParamState = {};
      a.step(param, f64(grads[0]), state, a.hyper(style));
      const before = values(param);
      const stateBefore = JSON.stringify(Object.fromEntries(Object.entries(state).map(([k, v]) => [k, v instanceof Tensor ? values(v) : v])));
      const snapshot = (): string => JSON.stringify(Object.fromEntries(Object.entries(state).map(([k, v]) => [k, v instanceof Tensor ? values(v) : v])));
      assert.throws(() => a.step(param, fromBuffer(new Float64Array(3), [3]), state, a.hyper(style)), (e: Error) => e instanceof ShapeError && e.message.startsWith(a.name) && e.message.includes("[3]") && e.message.includes("[2, 3]"));
      assert.throws(() => a.step(param, fromBuffer(new Int32Array(6), SHAPE), state, a.hyper(style)), (e: Error) => e instanceof DTypeError && e.message.startsWith(a.name));
      assert.throws(() => a.step(fromBuffer(new Int32Array(6), SHAPE), f64(grads[1]), {}, a.hyper(style)), (e: Error) => e instanceof DTypeError && e.message.startsWith(a.name));
      const key = a.keys[style][0];
      const bad: ParamState = { ...state, [key]: fromBuffer(new Float64Array(2), [2]) };
      assert.throws(() => a.step(param, f64(grads[1]), bad, a.hyper(style)), (e: Error) => e instanceof ShapeError && e.message.includes(`state.${key}`));
      assert.throws(() => a.step(param, f64(grads[1]), { ...state, step: -1 }, a.hyper(style)), (e: Error) => e instanceof ValueError && e.message.includes("step"));
      assert.deepEqual(values(param), before);
      assert.equal(snapshot(), stateBefore);
    });
  }
}

test("a state loaded in another dtype is converted to the parameter's", () => {
  const { p0, grads } = problem(8);
  const p = f32(p0);
  const state: ParamState = { step: 1, exp_avg: f64(grads[0]), exp_avg_sq: f64(grads[0].map((g) => g * g)) };
  adamStep(p, f32(grads[1]), state, adamDefaults("torch"));
  assert.equal((state.exp_avg as Tensor).dtype, "float32");
  assert.equal(state.step, 2);
});

test("the rules also run inside noGrad and leave it on", () => {
  const { p0, grads } = problem(9);
  const p = f64(p0);
  noGrad(() => {
    sgdStep(p, f64(grads[0]), {}, { ...sgdDefaults("torch"), lr: 0.1 });
    assert.equal(isGradEnabled(), false);
  });
  assert.equal(isGradEnabled(), true);
});

// ---------------------------------------------------------------- bad hyperparameters

const badCases: { name: string; run: () => void; want: RegExp }[] = [
  { name: "SGD negative lr", run: () => sgdStep(f64(new Array(N).fill(1)), f64(new Array(N).fill(1)), {}, { ...sgdDefaults("torch"), lr: -0.1 }), want: /^SGD: invalid learning rate: -0\.1/ },
  { name: "SGD NaN lr", run: () => sgdStep(f64(new Array(N).fill(1)), f64(new Array(N).fill(1)), {}, { ...sgdDefaults("torch"), lr: NaN }), want: /^SGD: invalid learning rate: NaN/ },
  { name: "SGD negative momentum", run: () => sgdStep(f64(new Array(N).fill(1)), f64(new Array(N).fill(1)), {}, { ...sgdDefaults("torch"), momentum: -0.5 }), want: /^SGD: invalid momentum: -0\.5/ },
  { name: "SGD keras momentum > 1", run: () => sgdStep(f64(new Array(N).fill(1)), f64(new Array(N).fill(1)), {}, { ...sgdDefaults("keras"), momentum: 1.5 }), want: /^SGD: invalid momentum: 1\.5/ },
  { name: "SGD negative weight decay", run: () => sgdStep(f64(new Array(N).fill(1)), f64(new Array(N).fill(1)), {}, { ...sgdDefaults("torch"), weightDecay: -1 }), want: /^SGD: invalid weight_decay value: -1/ },
  { name: "SGD nesterov without momentum", run: () => sgdStep(f64(new Array(N).fill(1)), f64(new Array(N).fill(1)), {}, { ...sgdDefaults("torch"), nesterov: true }), want: /^SGD: Nesterov momentum requires a momentum and zero dampening/ },
  { name: "SGD nesterov with dampening", run: () => sgdStep(f64(new Array(N).fill(1)), f64(new Array(N).fill(1)), {}, { ...sgdDefaults("torch"), momentum: 0.9, dampening: 0.1, nesterov: true }), want: /dampening 0\.1/ },
  { name: "SGD keras dampening", run: () => sgdStep(f64(new Array(N).fill(1)), f64(new Array(N).fill(1)), {}, { ...sgdDefaults("keras"), momentum: 0.9, dampening: 0.1 }), want: /^SGD: Keras' SGD has no dampening; got dampening 0\.1/ },
  { name: "SGD bad style", run: () => sgdStep(f64(new Array(N).fill(1)), f64(new Array(N).fill(1)), {}, { ...sgdDefaults("torch"), style: "jax" as any }), want: /^SGD: invalid style: jax/ },
  { name: "Adam beta1 = 1", run: () => adamStep(f64(new Array(N).fill(1)), f64(new Array(N).fill(1)), {}, { ...adamDefaults("torch"), beta1: 1 }), want: /^Adam: invalid beta parameter at index 0: 1 / },
  { name: "Adam beta2 < 0", run: () => adamStep(f64(new Array(N).fill(1)), f64(new Array(N).fill(1)), {}, { ...adamDefaults("keras"), beta2: -0.1 }), want: /^Adam: invalid beta parameter at index 1: -0\.1/ },
  { name: "Adam negative eps", run: () => adamStep(f64(new Array(N).fill(1)), f64(new Array(N).fill(1)), {}, { ...adamDefaults("torch"), eps: -1e-8 }), want: /^Adam: invalid epsilon value: -1e-8/ },
  { name: "AdamW negative lr", run: () => adamStep(f64(new Array(N).fill(1)), f64(new Array(N).fill(1)), {}, { ...adamDefaults("torch"), decoupledWeightDecay: true, lr: -1 }), want: /^AdamW: invalid learning rate: -1/ },
  { name: "AdamW negative weight decay", run: () => adamStep(f64(new Array(N).fill(1)), f64(new Array(N).fill(1)), {}, { ...adamDefaults("torch"), decoupledWeightDecay: true, weightDecay: -0.01 }), want: /^AdamW: invalid weight_decay value: -0\.01/ },
  { name: "RMSprop negative alpha", run: () => rmspropStep(f64(new Array(N).fill(1)), f64(new Array(N).fill(1)), {}, { ...rmspropDefaults("torch"), alpha: -0.9 }), want: /^RMSprop: invalid alpha value: -0\.9/ },
  { name: "RMSprop keras negative rho", run: () => rmspropStep(f64(new Array(N).fill(1)), f64(new Array(N).fill(1)), {}, { ...rmspropDefaults("keras"), alpha: -0.9 }), want: /^RMSprop: invalid rho value: -0\.9/ },
  { name: "RMSprop negative momentum", run: () => rmspropStep(f64(new Array(N).fill(1)), f64(new Array(N).fill(1)), {}, { ...rmspropDefaults("torch"), momentum: -1 }), want: /^RMSprop: invalid momentum value: -1/ },
  { name: "RMSprop infinite lr", run: () => rmspropStep(f64(new Array(N).fill(1)), f64(new Array(N).fill(1)), {}, { ...rmspropDefaults("keras"), lr: Infinity }), want: /^RMSprop: invalid learning rate: Infinity/ },
  { name: "Adagrad negative lr decay", run: () => adagradStep(f64(new Array(N).fill(1)), f64(new Array(N).fill(1)), {}, { ...adagradDefaults("torch"), lrDecay: -0.1 }), want: /^Adagrad: invalid lr_decay value: -0\.1/ },
  { name: "Adagrad negative initial accumulator", run: () => adagradStep(f64(new Array(N).fill(1)), f64(new Array(N).fill(1)), {}, { ...adagradDefaults("keras"), initialAccumulatorValue: -0.1 }), want: /^Adagrad: invalid initial_accumulator_value: -0\.1/ },
  { name: "Adagrad keras lr decay", run: () => adagradStep(f64(new Array(N).fill(1)), f64(new Array(N).fill(1)), {}, { ...adagradDefaults("keras"), lrDecay: 0.1 }), want: /^Adagrad: Keras' Adagrad has no lr_decay; got lrDecay 0\.1/ },
];

for (const c of badCases) {
  test(`bad hyperparameter: ${c.name} throws a ValueError naming the optimizer and the value`, () => {
    assert.throws(c.run, (e: Error) => e instanceof ValueError && c.want.test(e.message), c.want.source);
  });
}

test("a bad hyperparameter leaves the parameter and its state unchanged", () => {
  const { p0, grads } = problem(10);
  const p = f64(p0);
  const state: ParamState = {};
  adamStep(p, f64(grads[0]), state, adamDefaults("torch"));
  const before = values(p);
  const m = values(state.exp_avg as Tensor);
  assert.throws(() => adamStep(p, f64(grads[1]), state, { ...adamDefaults("torch"), beta2: 1 }), ValueError);
  assert.deepEqual(values(p), before);
  assert.deepEqual(values(state.exp_avg as Tensor), m);
  assert.equal(state.step, 1);
});

// ---------------------------------------------------------------- schedules

const near = (got: number, want: number, what: string): void =>
  assert.ok(Math.abs(got - want) <= 1e-15 * Math.max(1, Math.abs(want)), `${what}: got ${got}, want ${want}`);

test("torch schedules: closed forms against hand-computed values", () => {
  // StepLR(step_size=30, gamma=0.1) from 0.05: epochs 0–29 → 0.05, 30–59 → 0.005, 60–89 → 0.0005.
  near(stepLR(0.05, 0, 30, 0.1), 0.05, "stepLR 0");
  near(stepLR(0.05, 29, 30, 0.1), 0.05, "stepLR 29");
  near(stepLR(0.05, 30, 30, 0.1), 0.005, "stepLR 30");
  near(stepLR(0.05, 89, 30, 0.1), 0.0005, "stepLR 89");
  near(stepLR(1, 7, 2, 0.5), 0.125, "stepLR 7");
  // MultiStepLR(milestones=[30, 80], gamma=0.1) from 0.05.
  near(multiStepLR(0.05, 29, [30, 80], 0.1), 0.05, "multiStepLR 29");
  near(multiStepLR(0.05, 30, [30, 80], 0.1), 0.005, "multiStepLR 30");
  near(multiStepLR(0.05, 80, [30, 80], 0.1), 0.0005, "multiStepLR 80");
  near(multiStepLR(1, 5, [2, 2, 9], 0.5), 0.25, "multiStepLR repeated milestone");
  near(exponentialLR(0.1, 0, 0.5), 0.1, "exponentialLR 0");
  near(exponentialLR(0.1, 3, 0.5), 0.0125, "exponentialLR 3");
  // CosineAnnealingLR(T_max=10, eta_min=0.01) from 0.1.
  near(cosineAnnealingLR(0.1, 0, 10, 0.01), 0.1, "cosine 0");
  near(cosineAnnealingLR(0.1, 5, 10, 0.01), 0.055, "cosine 5");
  near(cosineAnnealingLR(0.1, 10, 10, 0.01), 0.01, "cosine 10");
  near(cosineAnnealingLR(0.1, 20, 10, 0.01), 0.1, "cosine 20 (period 2·T_max)");
  near(cosineAnnealingLR(1, 10, 30), 0.75, "cosine 10/30: (1 + cos(π/3))/2");
  // LinearLR(start_factor=0.5, total_iters=4) from 0.1: factors 0.5, 0.625, 0.75, 0.875, 1, 1.
  near(linearLR(0.1, 0, 0.5, 1, 4), 0.05, "linear 0");
  near(linearLR(0.1, 2, 0.5, 1, 4), 0.075, "linear 2");
  near(linearLR(0.1, 9, 0.5, 1, 4), 0.1, "linear 9");
  near(linearLR(0.3, 0), 0.1, "linear default start factor 1/3");
});

test("keras schedules: against hand-computed values", () => {
  near(exponentialDecay(0.1, 0, 100, 0.5), 0.1, "exponentialDecay 0");
  near(exponentialDecay(0.1, 200, 100, 0.5), 0.025, "exponentialDecay 200");
  near(exponentialDecay(1, 50, 100, 0.25), 0.5, "exponentialDecay 50 (continuous)");
  near(exponentialDecay(1, 50, 100, 0.25, true), 1, "exponentialDecay 50 (staircase)");
  near(exponentialDecay(1, 150, 100, 0.25, true), 0.25, "exponentialDecay 150 (staircase)");
  // Keras docstring: boundaries [100000, 110000], values [1.0, 0.5, 0.1].
  assert.equal(piecewiseConstantDecay(0, [100000, 110000], [1, 0.5, 0.1]), 1);
  assert.equal(piecewiseConstantDecay(100000, [100000, 110000], [1, 0.5, 0.1]), 1);
  assert.equal(piecewiseConstantDecay(100001, [100000, 110000], [1, 0.5, 0.1]), 0.5);
  assert.equal(piecewiseConstantDecay(110000, [100000, 110000], [1, 0.5, 0.1]), 0.5);
  assert.equal(piecewiseConstantDecay(110001, [100000, 110000], [1, 0.5, 0.1]), 0.1);
  near(inverseTimeDecay(0.1, 2, 1, 0.5), 0.05, "inverseTimeDecay 2");
  near(inverseTimeDecay(0.1, 3, 2, 1), 0.04, "inverseTimeDecay 3/2");
  near(inverseTimeDecay(0.1, 3, 2, 1, true), 0.05, "inverseTimeDecay 3/2 staircase");
  near(polynomialDecay(0.1, 5, 10, 0.01), 0.055, "polynomialDecay 5");
  near(polynomialDecay(0.1, 50, 10, 0.01), 0.01, "polynomialDecay capped");
  near(polynomialDecay(1, 5, 10, 0, 2), 0.25, "polynomialDecay power 2");
  near(polynomialDecay(1, 15, 10, 0, 1, true), 0.25, "polynomialDecay cycle: decay steps 20");
  near(polynomialDecay(1, 0, 10, 0, 1, true), 1, "polynomialDecay cycle at 0");
  near(cosineDecay(0.1, 0, 10), 0.1, "cosineDecay 0");
  near(cosineDecay(0.1, 5, 10), 0.05, "cosineDecay 5");
  near(cosineDecay(0.1, 15, 10, 0.2), 0.02, "cosineDecay capped at alpha");
  near(cosineDecay(1, 5, 10, 0.5), 0.75, "cosineDecay alpha");
});

test("schedules reject bad arguments, naming the schedule", () => {
  assert.throws(() => stepLR(0.1, 1, 0, 0.1), /^ValueError: stepLR: invalid step_size: 0/);
  assert.throws(() => stepLR(0.1, -1, 10, 0.1), /stepLR: invalid epoch: -1/);
  assert.throws(() => cosineAnnealingLR(0.1, 1, 0), /cosineAnnealingLR: invalid T_max: 0/);
  assert.throws(() => linearLR(0.1, 1, 0), /linearLR: starting multiplicative factor/);
  assert.throws(() => exponentialDecay(0.1, 1, 0, 0.5), /exponentialDecay: invalid decay_steps: 0/);
  assert.throws(() => piecewiseConstantDecay(1, [10, 20], [1, 2]), /piecewiseConstantDecay: the length of boundaries should be 1 less/);
  assert.throws(() => piecewiseConstantDecay(1, [20, 10], [1, 2, 3]), /strictly increasing/);
  assert.throws(() => polynomialDecay(0.1, 1, -5), /polynomialDecay: invalid decay_steps: -5/);
});
