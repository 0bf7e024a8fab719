// F.linear with a bias, on x [B, in], weight [out, in] and bias [out] of one float dtype, runs the
// fused op `linear`: its value and its three gradients must equal those of the composition it
// replaces (matmulT(x, w, false, true) then add(·, bias)) bit for bit on every backend, across
// the wasm matmul's size switches. Other cases keep the composition.
import { test } from "node:test";
import assert from "node:assert/strict";
import { add, fromBuffer, getBackendName, grad, listBackends, matmulT, setBackend, torch, Tensor } from "../src/index.js";
import type { DType } from "../src/index.js";
import { assertSameBits } from "./arbitraries.js";

const F = torch.nn.functional;

let seed = 42424242;
function rand(): number {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 4294967296;
}

function make(shape: number[], dtype: DType, requiresGrad = true): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = Array.from({ length: n }, () => (rand() * 4 - 2) * 10 ** Math.floor(rand() * 3 - 1));
  const t = fromBuffer(dtype === "float32" ? Float32Array.from(data) : Float64Array.from(data), shape, dtype);
  if (requiresGrad) t.requiresGrad_(true);
  return t;
}

// [B, in, out]: W2's Linear(1, 1) on 200 points, tiny, and products on each side of the wasm
// matmul's switches (256 multiply-adds, 16 outputs) and its threads.
const SHAPES = [[200, 1, 1], [1, 1, 1], [3, 4, 5], [16, 16, 1], [1, 300, 2], [64, 32, 16], [128, 256, 64], [0, 3, 2]];

test("linear with a bias equals matmul then add bit for bit, value and gradients", () => {
  const before = getBackendName();
  try {
    for (const b of listBackends()) {
      setBackend(b);
      for (const dtype of ["float32", "float64"] as DType[]) {
        for (const [n, i, o] of SHAPES) {
          const x = make([n, i], dtype);
          const w = make([o, i], dtype);
          const bias = make([o], dtype);
          const what = `${b} ${dtype} [${n}, ${i}]·[${o}, ${i}]ᵀ`;
          const got = F.linear(x, w, bias);
          assert.equal(got.gradFn?.name, "linear", `${what}: the fused op runs`);
          const want = add(matmulT(x, w, false, true), bias);
          assert.equal(want.gradFn?.name, "add");
          assertSameBits(got, want, what);
          const g = make([n, o], dtype, false);
          const gotG = grad([got], [x, w, bias], { gradOutputs: [g] });
          const wantG = grad([want], [x, w, bias], { gradOutputs: [g] });
          ["x", "weight", "bias"].forEach((name, k) => assertSameBits(gotG[k]!, wantG[k]!, `${name} gradient, ${what}`));
        }
      }
    }
  } finally {
    setBackend(before);
  }
});

test("linear keeps the composition without a bias, for other ranks and for mixed dtypes", () => {
  const w = make([2, 3], "float32");
  assert.equal(F.linear(make([4, 3], "float32"), w).gradFn?.name, "matmul");
  assert.equal(F.linear(make([5, 4, 3], "float32"), w, make([2], "float32")).gradFn?.name, "add");
  assert.equal(F.linear(make([4, 3], "float64"), w, make([2], "float32")).gradFn?.name, "add");
  assert.equal(F.linear(make([4, 3], "float32"), w, make([1, 2], "float32")).gradFn?.name, "add");
  assert.throws(() => F.linear(make([4, 2], "float32"), w, make([2], "float32")), /^ShapeError: matmul: mat1 and mat2 shapes cannot be multiplied \(4x2 and 3x2\)$/);
  assert.throws(() => F.linear(make([4, 3], "float32"), w, make([3], "float32")), /^ShapeError: add: the size of tensor a \(2\) must match the size of tensor b \(3\)/);
});

test("second-order gradients through the fused linear", () => {
  // f = Σ (x·Wᵀ + b)²: ∂f/∂W = 2(xWᵀ + b)ᵀx; its derivative in b (summed against ones) is 2·Σ_rows x.
  const x = fromBuffer(Float64Array.from([1, 2, 3, 4]), [2, 2], "float64");
  const w = fromBuffer(Float64Array.from([0.5, -1]), [1, 2], "float64").requiresGrad_(true);
  const b = fromBuffer(Float64Array.from([0.25]), [1], "float64").requiresGrad_(true);
  const y = F.linear(x, w, b);
  assert.equal(y.gradFn?.name, "linear");
  const [gw] = grad([y.square().sum()], [w], { createGraph: true });
  const [gb] = grad([gw!.sum()], [b]);
  assert.deepEqual(Array.from(gb!.storage), [2 * (1 + 2 + 3 + 4)]);
});
