// torch-style Adam runs one fused kernel (backend.adamUpdate) where it applies (no L2 weight
// decay, no amsgrad), Keras-style Adam another (backend.kerasAdamUpdate, no amsgrad): their
// parameters and moments must equal those of the op compositions they replace bit for bit, over several steps, on every backend, in float32 and float64, at sizes
// below, at and across the wasm backend's chunks, with NaN, infinities and signed zeros.
import { test } from "node:test";
import assert from "node:assert/strict";
import { add, div, getBackendName, listBackends, mul, noGrad, setBackend, sqrt, square, sub, tensor, Tensor } from "../src/index.js";
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

const SIZES = [1, 5, 255, 256, 1000, 16384 * 2 + 9];
const HYPERS: Partial<AdamHyper>[] = [{}, { lr: 0.1, beta1: 0.5, beta2: 0.7, eps: 1e-3 }, { lr: 3e-4, beta1: 0.95, beta2: 0.9999 }];

test("the fused Adam steps (PyTorch's and Keras') equal the op compositions bit for bit, step after step", () => {
  const before = getBackendName();
  try {
    for (const b of listBackends()) {
      setBackend(b);
      for (const style of ["torch", "keras"] as const) {
        const [mKey, vKey] = style === "torch" ? ["exp_avg", "exp_avg_sq"] : ["m", "v"];
        const compose = style === "torch" ? composed : composedKeras;
        for (const dtype of ["float32", "float64"] as DType[]) {
          for (const n of SIZES) {
            for (const extra of HYPERS) {
              const h: AdamHyper = { ...adamDefaults(style), ...extra };
              const p = tensor(values(n), { dtype });
              const p2 = p.clone();
              const m2 = tensor(new Array(n).fill(0), { dtype });
              const v2 = m2.clone();
              const state: ParamState = {};
              for (let t = 1; t <= 3; t++) {
                const g = tensor(values(n), { dtype });
                const version = p.version;
                adamStep(p, g, state, h);
                compose(p2, g, m2, v2, h, t);
                const what = `${b} ${style} ${dtype} n=${n} ${JSON.stringify(extra)} step ${t}`;
                assertSameBits(p, p2, `param, ${what}`);
                assertSameBits(state[mKey] as Tensor, m2, `${mKey}, ${what}`);
                assertSameBits(state[vKey] as Tensor, v2, `${vKey}, ${what}`);
                assert.ok(p.version > version, `the parameter's version moves (${what})`);
              }
            }
          }
        }
      }
    }
  } finally {
    setBackend(before);
  }
});
