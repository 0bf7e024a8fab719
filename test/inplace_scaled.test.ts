// add_(other, alpha) and sub_(other, alpha) run one fused kernel (backend.addScaled) when nothing
// is recorded: its values must equal the composition it replaces, add_(mul(other, alpha)), bit
// for bit (signed zeros, NaN, infinities, overflow), on every backend, in float32 and float64, at
// sizes below, at and across the wasm backend's chunks, and when other is self.
import { test } from "node:test";
import assert from "node:assert/strict";
import { AutogradError, noGrad, tensor } from "../src/index.js";
import type { DType } from "../src/index.js";
import { assertSameBits, onEveryBackend } from "./arbitraries.js";

let seed = 123456789;
function rand(): number {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 4294967296;
}
function values(n: number): number[] {
  const odd = [NaN, Infinity, -Infinity, 0, -0, 1e-40, 3e38, -3e38, 1e300, 1, -1];
  return Array.from({ length: n }, (_, i) => (i % 11 === 5 ? odd[Math.floor(rand() * odd.length)] : rand() * 8 - 4));
}

const SIZES = [1, 7, 127, 128, 200, 16384, 16384 * 2 + 17];
const ALPHAS = [-0.01, 0.3, 2, -1e-3, 0, 1e30];

test("add_/sub_ with alpha equal add_/sub_ of the scaled tensor, bit for bit", () => {
  onEveryBackend((b) => {
    for (const dtype of ["float32", "float64"] as DType[]) {
      for (const n of SIZES) {
        const p = tensor(values(n), { dtype });
        const g = tensor(values(n), { dtype });
        for (const alpha of ALPHAS) {
          const what = `${b} ${dtype} n=${n} alpha=${alpha}`;
          assertSameBits(p.clone().add_(g, alpha), p.clone().add_(g.mul(alpha)), `add_ ${what}`);
          assertSameBits(p.clone().sub_(g, alpha), p.clone().sub_(g.mul(alpha)), `sub_ ${what}`);
          // other is self: every element is read before it is written.
          const q = p.clone();
          assertSameBits(q.add_(q, alpha), p.clone().add_(p.mul(alpha)), `self add_ ${what}`);
        }
      }
    }
  });
});

test("the fused add_ bumps the version and keeps PyTorch's refusals and fallbacks", () => {
  const w = tensor([1, 2, 3], { requiresGrad: true });
  assert.throws(() => w.add_(tensor([1, 1, 1]), 0.5), AutogradError);
  const v = w.version;
  noGrad(() => w.sub_(tensor([1, 1, 1]), 0.5));
  assert.deepEqual(Array.from(w.storage), [0.5, 1.5, 2.5]);
  assert.equal(w.version, v + 1);
  // Broadcast or promoted operands take the general path, with the same result.
  const x = tensor([1, 2, 3]);
  x.add_(tensor([2]), 0.5);
  assert.deepEqual(Array.from(x.storage), [2, 3, 4]);
  x.add_(tensor([1, 1, 1], { dtype: "int32" }), 2);
  assert.deepEqual(Array.from(x.storage), [4, 5, 6]);
});
