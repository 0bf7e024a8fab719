// Optimizer updates that run one fused backend kernel where they apply — Adam in PyTorch's and
// Keras' forms (no amsgrad, no L2 weight decay), RMSprop in both (no weight decay, momentum or
// centering), Adagrad in both forms, SGD with momentum in both forms (and Keras' plain SGD as one
// scaled add) — must leave parameters and state equal to those of the op compositions they
// replace bit for bit, over several steps, on every backend, in float32 and float64, at sizes
// below, at and across the wasm backend's chunks, with NaN, infinities and signed zeros.
import { test } from "node:test";
import assert from "node:assert/strict";
import { add, div, getBackendName, listBackends, mul, neg, noGrad, rsqrt, setBackend, sqrt, square, sub, tensor, Tensor } from "../src/index.js";
import { adagradDefaults, adagradStep, rmspropDefaults, rmspropStep, sgdDefaults, sgdStep } from "../src/optim/index.js";
import type { DType } from "../src/index.js";
import { adamDefaults, adamStep, type AdamHyper } from "../src/optim/adam.js";
import type { ParamState } from "../src/optim/common.js";
import { assertSameBits } from "./arbitraries.js";

let seed = 987654321;
function rand(): number {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 4294967296;
}
function values(n: number): number[] {
  const odd = [NaN, Infinity, -Infinity, 0, -0, 1e-40, 3e38, -3e38, 1, -1];
  return Array.from({ length: n }, (_, i) => (i % 13 === 6 ? odd[Math.floor(rand() * odd.length)] : rand() * 8 - 4));
}

/** PyTorch 1.13's single-tensor Adam step written as separate ops (the path the kernel replaces). */
function composed(p: Tensor, g: Tensor, m: Tensor, v: Tensor, h: AdamHyper, t: number): void {
  noGrad(() => {
    m.mul_(h.beta1).add_(mul(g, 1 - h.beta1));
    v.mul_(h.beta2).add_(mul(mul(g, 1 - h.beta2), g));
    const denom = add(div(sqrt(v), Math.sqrt(1 - h.beta2 ** t)), h.eps);
    p.add_(div(mul(m, -(h.lr / (1 - h.beta1 ** t))), denom));
  });
}

/** Keras' Adam step (TF 2.11+ optimizer, dense branch) written as separate ops. */
function composedKeras(p: Tensor, g: Tensor, m: Tensor, v: Tensor, h: AdamHyper, t: number): void {
  noGrad(() => {
    const alpha = (h.lr * Math.sqrt(1 - h.beta2 ** t)) / (1 - h.beta1 ** t);
    m.add_(mul(sub(g, m), 1 - h.beta1));
    v.add_(mul(sub(square(g), v), 1 - h.beta2));
    p.sub_(div(mul(m, alpha), add(sqrt(v), h.eps)));
  });
}

/** PyTorch 1.13's single-tensor RMSprop step (no weight decay, momentum or centering) as ops. */
function composedRmsprop(p: Tensor, g: Tensor, v: Tensor, h: { alpha: number; lr: number; eps: number }): void {
  noGrad(() => {
    v.mul_(h.alpha).add_(mul(mul(g, 1 - h.alpha), g));
    p.add_(div(mul(g, -h.lr), add(sqrt(v), h.eps)));
  });
}

/** Keras' RMSprop step (no momentum or centering) as ops, α being its ρ. */
function composedKerasRmsprop(p: Tensor, g: Tensor, v: Tensor, h: { alpha: number; lr: number; eps: number }): void {
  noGrad(() => {
    v.copy_(add(mul(v, h.alpha), mul(square(g), 1 - h.alpha)));
    p.sub_(mul(mul(g, h.lr), rsqrt(add(v, h.eps))));
  });
}

/** Adagrad's step as ops: PyTorch's (lr decayed per step) or Keras' (ε inside the root). */
function composedAdagrad(p: Tensor, g: Tensor, a: Tensor, h: { lr: number; lrDecay: number; eps: number; style: string }, t: number): void {
  noGrad(() => {
    a.add_(mul(g, g));
    if (h.style === "torch") p.add_(div(mul(g, -(h.lr / (1 + (t - 1) * h.lrDecay))), add(sqrt(a), h.eps)));
    else p.sub_(div(mul(g, h.lr), sqrt(add(a, h.eps))));
  });
}

/** PyTorch's SGD step with momentum as ops: the first step copies the gradient into the buffer. */
function composedSgd(p: Tensor, g: Tensor, b: Tensor, h: { lr: number; momentum: number; dampening: number; nesterov: boolean }, t: number): void {
  noGrad(() => {
    if (t === 1) b.copy_(g);
    else b.mul_(h.momentum).add_(g, 1 - h.dampening);
    p.add_(h.nesterov ? add(g, mul(b, h.momentum)) : b, -h.lr);
  });
}

/** Keras' SGD step as ops (TF 2.11+ optimizer, dense branch), with or without momentum. */
function composedKerasSgd(p: Tensor, g: Tensor, m: Tensor | undefined, h: { lr: number; momentum: number; nesterov: boolean }): void {
  noGrad(() => {
    const step = mul(neg(g), h.lr);
    if (m === undefined) {
      p.add_(step);
      return;
    }
    m.copy_(add(step, mul(m, h.momentum)));
    p.add_(h.nesterov ? add(step, mul(m, h.momentum)) : m);
  });
}

/** One fused update under test: its step, the op composition, and the state tensors it keeps. */
interface Case {
  name: string;
  step: (p: Tensor, g: Tensor, state: ParamState) => void;
  compose: (p: Tensor, g: Tensor, s: Tensor[], t: number) => void;
  keys: string[];
  init: number;
}

const HYPERS: Partial<AdamHyper>[] = [{}, { lr: 0.1, beta1: 0.5, beta2: 0.7, eps: 1e-3 }, { lr: 3e-4, beta1: 0.95, beta2: 0.9999 }];
const CASES: Case[] = [];
for (const style of ["torch", "keras"] as const) {
  for (const extra of HYPERS) {
    const h: AdamHyper = { ...adamDefaults(style), ...extra };
    CASES.push({
      name: `${style} Adam ${JSON.stringify(extra)}`,
      step: (p, g, st) => adamStep(p, g, st, h),
      compose: (p, g, [m, v], t) => (style === "torch" ? composed : composedKeras)(p, g, m, v, h, t),
      keys: style === "torch" ? ["exp_avg", "exp_avg_sq"] : ["m", "v"],
      init: 0,
    });
  }
}
for (const style of ["torch", "keras"] as const) {
  for (const extra of [{}, { lr: 0.3, alpha: 0.5, eps: 1e-3 }]) {
    const h = { ...rmspropDefaults(style), ...extra };
    CASES.push({
      name: `${style} RMSprop ${JSON.stringify(extra)}`,
      step: (p, g, st) => rmspropStep(p, g, st, h),
      compose: (p, g, [v]) => (style === "torch" ? composedRmsprop : composedKerasRmsprop)(p, g, v, h),
      keys: [style === "torch" ? "square_avg" : "velocity"],
      init: 0,
    });
  }
}
for (const style of ["torch", "keras"] as const) {
  for (const extra of [{}, { lr: 0.2, eps: 1e-3, initialAccumulatorValue: 0.5 }]) {
    // (lr decay is PyTorch's only.)
    const h = { ...adagradDefaults(style), ...extra, ...(style === "torch" && Object.keys(extra).length > 0 ? { lrDecay: 0.5 } : {}) };
    CASES.push({
      name: `${style} Adagrad ${JSON.stringify(extra)}`,
      step: (p, g, st) => adagradStep(p, g, st, h),
      compose: (p, g, [a], t) => composedAdagrad(p, g, a, h, t),
      keys: [style === "torch" ? "sum" : "accumulator"],
      init: h.initialAccumulatorValue,
    });
  }
}

for (const extra of [{ momentum: 0.9 }, { momentum: 0.5, dampening: 0.25, lr: 0.3 }, { momentum: 0.9, nesterov: true }]) {
  const h = { ...sgdDefaults("torch"), lr: 0.01, ...extra };
  CASES.push({ name: `torch SGD ${JSON.stringify(extra)}`, step: (p, g, st) => sgdStep(p, g, st, h), compose: (p, g, [b], t) => composedSgd(p, g, b, h, t), keys: ["momentum_buffer"], init: 0 });
}

for (const extra of [{ momentum: 0 }, { momentum: 0.9 }, { momentum: 0.5, lr: 0.3, nesterov: true }]) {
  const h = { ...sgdDefaults("keras"), ...extra };
  CASES.push({
    name: `keras SGD ${JSON.stringify(extra)}`,
    step: (p, g, st) => sgdStep(p, g, st, h),
    compose: (p, g, [m]) => composedKerasSgd(p, g, m, h),
    keys: h.momentum === 0 ? [] : ["m"],
    init: 0,
  });
}

const SIZES = [1, 5, 255, 256, 1000, 16384 * 2 + 9];

test("the fused optimizer steps equal the op compositions bit for bit, step after step", () => {
  const before = getBackendName();
  try {
    for (const b of listBackends()) {
      setBackend(b);
      for (const c of CASES) {
        for (const dtype of ["float32", "float64"] as DType[]) {
          for (const n of SIZES) {
            const p = tensor(values(n), { dtype });
            const p2 = p.clone();
            const s2 = c.keys.map(() => tensor(new Array(n).fill(c.init), { dtype }));
            const state: ParamState = {};
            for (let t = 1; t <= 3; t++) {
              const g = tensor(values(n), { dtype });
              const version = p.version;
              c.step(p, g, state);
              c.compose(p2, g, s2, t);
              const what = `${b} ${c.name} ${dtype} n=${n} step ${t}`;
              assertSameBits(p, p2, `param, ${what}`);
              c.keys.forEach((k, i) => assertSameBits(state[k] as Tensor, s2[i], `${k}, ${what}`));
              assert.ok(p.version > version, `the parameter's version moves (${what})`);
            }
          }
        }
      }
    }
  } finally {
    setBackend(before);
  }
});
