// mseLoss of an input and a target of one shape and float dtype, reduced by "mean" or "sum",
// runs the fused op mse_loss: its value must equal the composition it replaces
// (sub, square, mean/sum) bit for bit on every backend, at sizes around the wasm backend's
// thresholds, with NaN, infinities and signed zeros; its gradients must be PyTorch's
// mse_loss_backward, (norm·(x − y))·g with each step rounded to the dtype, computed here
// independently in float64 with Math.fround. Other cases keep the composition.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  fromBuffer, getBackendName, grad, listBackends, mean, mseLoss, noGrad, setBackend, setWarningHandler, square, sub, sum, tensor, Tensor,
  DTypeError, ShapeError,
} from "../src/index.js";
import type { DType } from "../src/index.js";
import { assertSameBits, onEveryBackend } from "./arbitraries.js";

let seed = 123456789;
function rand(): number {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 4294967296;
}

/** Values of mixed magnitudes, with NaN, ±Infinity, ±0, subnormals and squares that overflow float32. */
function values(n: number, odd: boolean): number[] {
  const special = [NaN, Infinity, -Infinity, 0, -0, 1e-40, 3e38, -3e38, 1e20, 1];
  return Array.from({ length: n }, (_, i) => (odd && i % 17 === 9 ? special[Math.floor(rand() * special.length)] : (rand() * 8 - 4) * 10 ** Math.floor(rand() * 4 - 2)));
}

function make(data: number[], shape: number[], dtype: DType, requiresGrad = false): Tensor {
  const t = fromBuffer(dtype === "float32" ? Float32Array.from(data) : Float64Array.from(data), shape, dtype);
  if (requiresGrad) t.requiresGrad_(true);
  return t;
}

// Around the JS/wasm switch points (64: the wasm sum and mse forward; 48: the backward), the SIMD widths
// (4, 8), W2's 200, and the wasm backward's 16384-element chunks.
const SIZES = [0, 1, 3, 7, 8, 9, 63, 64, 65, 71, 72, 200, 1001, 16384 + 5, 2 * 16384 + 9];
const REDUCTIONS = ["mean", "sum"] as const;

test("mse_loss equals sub, square, mean/sum bit for bit on every backend", () => {
  onEveryBackend((b) => {
    for (const dtype of ["float32", "float64"] as DType[]) {
      for (const n of SIZES) {
        for (const odd of [false, true]) {
          const shapes = n % 2 === 0 && n > 0 ? [[n], [n / 2, 2]] : [[n, 1]];
          for (const shape of shapes) {
            const xs = values(n, odd);
            const ys = values(n, odd);
            for (const reduction of REDUCTIONS) {
              const x = make(xs, shape, dtype, true);
              const y = make(ys, shape, dtype);
              const got = mseLoss(x, y, { reduction });
              const what = `${b} ${dtype} shape [${shape}] ${reduction}${odd ? " with special values" : ""}`;
              assert.equal(got.gradFn?.name, "mse_loss", `${what}: the fused op runs`);
              assert.equal(got.dtype, dtype);
              assert.deepEqual(got.shape, []);
              const want = noGrad(() => (reduction === "mean" ? mean(square(sub(x, y))) : sum(square(sub(x, y)))));
              assertSameBits(got, want, what);
            }
          }
        }
      }
    }
  });
});

test("the squares are added in each backend's own order (data where the order shows in float32)", () => {
  // Differences 1 and 2⁻¹² (squares 1 + 2⁻²⁴: a float32 tie) and some 2⁻²⁷ (squares u = 2⁻⁵⁴, a
  // quarter of float64's ulp at 1). Added in index order the u vanish one by one and the tie
  // rounds to 1; the wasm sum adds them in eight lanes first, then combines the lanes as
  // ((l0 + l2) + (l4 + l6)) + ((l1 + l3) + (l5 + l7)): 3u in lanes 3, 5, 7 then count (0.75 ulp)
  // and it rounds up, where l0 + l1 + … + l7 would lose them again.
  const f = Math.fround;
  const u = 2 ** -27;
  const patterns: [string, (i: number) => number][] = [
    ["u in most places", (i) => (i === 0 ? 1 : i === 1 ? 2 ** -12 : i % 3 === 0 ? 0 : u)],
    ["u in lanes 3, 5, 7", (i) => (i === 0 ? 1 : i === 1 ? 2 ** -12 : i === 3 || i === 5 || i === 7 ? u : 0)],
  ];
  for (const [name, at] of patterns) {
    for (const n of [64, 72, 200, 1001]) {
      const xs = Array.from({ length: n }, (_, i) => at(i));
      const ys = new Array<number>(n).fill(0);
      let inOrder = 0;
      for (const v of xs) inOrder += f(v * v);
      const sums = new Set<number>();
      onEveryBackend((b) => {
        for (const reduction of REDUCTIONS) {
          const x = make(xs, [n, 1], "float32", true);
          const y = make(ys, [n, 1], "float32");
          const got = mseLoss(x, y, { reduction });
          const want = noGrad(() => (reduction === "mean" ? mean(square(sub(x, y))) : sum(square(sub(x, y)))));
          const what = `${b} ${name} n=${n} ${reduction}`;
          assertSameBits(got, want, what);
          if (b === "js") assert.equal(got.item(), reduction === "sum" ? f(inOrder) : f(f(inOrder) / n), `${what}: index order`);
          if (reduction === "sum") sums.add(got.item());
        }
      });
      if (listBackends().includes("wasm")) assert.deepEqual([...sums], [1, 1 + 2 ** -23], `${name} n=${n}: the data tells the orders apart`);
    }
  }
});

/** PyTorch's mse_loss_backward for one element, in the dtype: (norm·(x − y))·g, norm = 2/n or 2. */
function refGrad(x: number, y: number, g: number, norm: number, dtype: DType): number {
  if (dtype === "float64") return norm * (x - y) * g;
  const f = Math.fround;
  return f(f(f(norm) * f(x - y)) * f(g));
}

test("mse_loss's gradients are PyTorch's mse_loss_backward for input and for target", () => {
  onEveryBackend((b) => {
    for (const dtype of ["float32", "float64"] as DType[]) {
      for (const n of [1, 7, 47, 48, 64, 200, 1001, 16384 + 5]) {
        const xs = values(n, true);
        const ys = values(n, true);
        for (const reduction of REDUCTIONS) {
          for (const gv of [1, 0.37, -2.5]) {
            const x = make(xs, [n, 1], dtype, true);
            const y = make(ys, [n, 1], dtype, true);
            const what = `${b} ${dtype} n=${n} ${reduction} g=${gv}`;
            const loss = mseLoss(x, y, { reduction });
            const [gx, gy] = grad([loss], [x, y], { gradOutputs: [make([gv], [], dtype)] });
            const norm = reduction === "mean" ? 2 / n : 2;
            const want = make(xs.map((xi, i) => refGrad(Number(x.storage[i]), Number(y.storage[i]), gv, norm, dtype)), [n, 1], dtype);
            assertSameBits(gx!, want, `input gradient, ${what}`);
            // derivatives.yaml: target's gradient is mse_loss_backward(grad, target, self): the
            // negation of input's, with +0 (not −0) where they are equal.
            const wantY = make(ys.map((_, i) => refGrad(Number(y.storage[i]), Number(x.storage[i]), gv, norm, dtype)), [n, 1], dtype);
            assertSameBits(gy!, wantY, `target gradient, ${what}`);
            assert.equal(gx!.dtype, dtype);
            assert.deepEqual(gx!.shape, [n, 1]);
            // Only the target requiring grad: the same gradient from one op.
            const yOnly = make(ys, [n, 1], dtype, true);
            const [gyOnly] = grad([mseLoss(make(xs, [n, 1], dtype), yOnly, { reduction })], [yOnly], { gradOutputs: [make([gv], [], dtype)] });
            assertSameBits(gyOnly!, gy!, `target-only gradient, ${what}`);
          }
        }
      }
    }
  });
});

test("backward() accumulates mse_loss's gradient into .grad (W2's path)", () => {
  onEveryBackend((b) => {
    const xs = values(200, false);
    const ys = values(200, false);
    const x = make(xs, [200, 1], "float32", true);
    const y = make(ys, [200, 1], "float32");
    mseLoss(x, y).backward();
    const want = make(xs.map((_, i) => refGrad(Number(x.storage[i]), Number(y.storage[i]), 1, 2 / 200, "float32")), [200, 1], "float32");
    assertSameBits(x.grad!, want, `${b}: x.grad`);
    assert.equal(y.grad, null);
  });
});

test("second-order gradients through mse_loss_backward", () => {
  // f = mean((x−y)²); df/dx = 2(x−y)/n; d/dx of Σ_i (df/dx_i)·v_i is 2v/n, d/dy its negation.
  for (const reduction of REDUCTIONS) {
    const x = make([0.5, -1.25, 2], [3], "float64", true);
    const y = make([0.25, 1, -0.5], [3], "float64", true);
    const [gx] = grad([mseLoss(x, y, { reduction })], [x], { createGraph: true });
    assert.equal(gx!.gradFn?.name, "mse_loss_backward");
    const v = make([1, -2, 3], [3], "float64");
    const [ggx, ggy] = grad([sum(gx!.mul(v))], [x, y]);
    const norm = reduction === "mean" ? 2 / 3 : 2;
    assert.deepEqual(Array.from(ggx!.storage), [1, -2, 3].map((vi) => vi * norm));
    assert.deepEqual(Array.from(ggy!.storage), [1, -2, 3].map((vi) => -vi * norm));
  }
});

test("broadcast shapes, reduction none and integer operands keep the composition", () => {
  const seen: string[] = [];
  const prev = setWarningHandler((m) => seen.push(m));
  try {
    const x = make([1, 2, 3], [3, 1], "float32", true);
    const y = make([0.5, 1, 4], [3], "float32");
    const broadcast = mseLoss(x, y);
    assert.equal(broadcast.gradFn?.name, "mean");
    assert.equal(seen.length, 1, "the broadcast warning");
    assert.equal(mseLoss(x, make([0.5, 1, 4], [3, 1], "float32"), { reduction: "none" }).gradFn?.name, "square");
    const ints = fromBuffer(Int32Array.from([1, 2, 3]), [3, 1], "int32");
    const mixed = mseLoss(ints, make([0.5, 1, 4], [3, 1], "float32", true));
    assert.equal(mixed.gradFn?.name, "mean");
    assert.equal(mixed.item(), (0.25 + 1 + 1) / 3);
    assert.equal(seen.length, 1);
  } finally {
    setWarningHandler(prev);
  }
});

test("float32 with float64 computes mse_loss in float64, as the composition does", () => {
  onEveryBackend((b) => {
    const xs = values(200, false);
    const ys = values(200, false);
    const x = make(xs, [200], "float32", true);
    const y = make(ys, [200], "float64");
    const got = mseLoss(x, y);
    assert.equal(got.dtype, "float64");
    assertSameBits(got, noGrad(() => mean(square(sub(x, y)))), `${b} float32 input, float64 target`);
    const [gx] = grad([got], [x]);
    assert.equal(gx!.dtype, "float32");
    const want = make(xs.map((_, i) => Math.fround((2 / 200) * (Number(x.storage[i]) - ys[i]))), [200], "float32");
    assertSameBits(gx!, want, `${b} input gradient cast back to float32`);
  });
});

test("mse_loss's errors are unchanged and it saves its inputs against in-place changes", () => {
  const x = make([1, 2, 3, 4, 5, 6], [2, 3], "float32", true);
  assert.throws(() => mseLoss(x, make([1, 2], [2], "float32")), (e: unknown) => e instanceof ShapeError && /mse_loss: .*\(shapes \[2, 3\] and \[2\]\)/.test((e as Error).message));
  const i = fromBuffer(Int32Array.from([1, 2]), [2], "int32");
  assert.throws(() => mseLoss(i, i), (e: unknown) => e instanceof DTypeError && /mse_loss: expected floating point input or target/.test((e as Error).message));
  const y = make([0, 1, 0, 1, 1, 0], [2, 3], "float32");
  const loss = mseLoss(x, y);
  noGrad(() => y.add_(1));
  // PyTorch's mse_loss saves input and target, so changing one before backward is an error.
  assert.throws(() => loss.backward(), /modified by an inplace operation|version/);
  assert.equal(mseLoss(tensor([1, 2]), tensor([1, 2])).item(), 0);
});
