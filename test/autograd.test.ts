// The engine's behaviour, as PyTorch's autograd: accumulation, retained graphs, grad(), higher
// order, grad mode, detach, in-place checks through version counters, deep graphs and flat memory.
import { test } from "node:test";
import assert from "node:assert/strict";
import v8 from "node:v8";
import vm from "node:vm";
import * as dg from "../src/index.js";
import { AutogradError, DTypeError, DuogradError, enableGrad, grad, isGradEnabled, noGrad, tensor, Tensor } from "../src/index.js";

const f64 = (data: number[], requiresGrad = true): Tensor => tensor(data, { dtype: "float64", requiresGrad });
const close = (got: Tensor | null, want: number[], what: string, tol = 1e-12): void => {
  assert.ok(got, `${what}: missing`);
  assert.equal(got.storage.length, want.length, `${what}: length`);
  want.forEach((w, i) => assert.ok(Math.abs(got.storage[i] - w) <= tol * (1 + Math.abs(w)), `${what}[${i}] = ${got.storage[i]}, expected ${w}`));
};

// ------------------------------------------------------------------ accumulation

test("fan-out: gradients of every use of a tensor are summed", () => {
  const x = f64([0.5, -1, 2]);
  // y = x·x + 3x + exp(x), and a node used twice (a·a)
  const a = x.exp();
  const y = x.mul(x).add(x.mul(3)).add(a.mul(a));
  y.sum().backward();
  close(x.grad, [0.5, -1, 2].map((v) => 2 * v + 3 + 2 * Math.exp(2 * v)), "x.grad");
});

test(".grad accumulates across backward calls and zero_() resets it in place", () => {
  const x = f64([1, 2, 3]);
  x.mul(x).sum().backward();
  const g = x.grad!;
  close(g, [2, 4, 6], "first");
  x.mul(x).sum().backward();
  close(x.grad, [4, 8, 12], "accumulated");
  assert.equal(x.grad, g, "accumulated into the same tensor, as PyTorch's AccumulateGrad");
  noGrad(() => x.grad!.zero_());
  close(x.grad, [0, 0, 0], "after zero_");
  x.mul(5).sum().backward();
  close(x.grad, [5, 5, 5], "after zero_ and another backward");
});

test("backward through a 100,000-op chain does not overflow the stack", () => {
  const x = f64([0.5, 1.5]);
  let y = x;
  for (let i = 0; i < 50_000; i++) y = y.mul(1.00001).add(0.001);
  y.sum().backward();
  const slope = Math.pow(1.00001, 50_000);
  close(x.grad, [slope, slope], "d chain / dx", 1e-9);
});

test("retainGraph: a second backward without it is an error naming the op; with it, gradients add up", () => {
  const x = f64([0.5, -0.3]);
  const y = x.exp().sum();
  y.backward();
  assert.throws(
    () => y.backward(),
    (e: unknown) => e instanceof AutogradError && /exp/.test((e as Error).message) && /second time/.test((e as Error).message) && /retainGraph/.test((e as Error).message),
  );
  const x2 = f64([0.5, -0.3]);
  const y2 = x2.exp().sum();
  y2.backward(null, { retainGraph: true });
  y2.backward();
  close(x2.grad, [2 * Math.exp(0.5), 2 * Math.exp(-0.3)], "twice");
});

test("retainGrad keeps the gradient of a non-leaf; other non-leaves have none", () => {
  const x = f64([1, 2]);
  const h = x.mul(3);
  h.retainGrad();
  const k = h.sin();
  k.sum().backward();
  close(h.grad, [Math.cos(3), Math.cos(6)], "h.grad");
  assert.equal(k.grad, null);
  assert.equal(k.isLeaf, false);
  assert.equal(x.isLeaf, true);
});

// ------------------------------------------------------------------ grad()

test("grad() returns gradients and leaves .grad alone", () => {
  const x = f64([0.2, 0.7]);
  const w = f64([1.5, -2]);
  const y = x.mul(w).sum();
  const [gx, gw] = grad(y, [x, w]);
  close(gx, [1.5, -2], "dy/dx");
  close(gw, [0.2, 0.7], "dy/dw");
  assert.equal(x.grad, null);
  assert.equal(w.grad, null);
});

test("grad() with respect to intermediate tensors and leaves at once", () => {
  const xs = [0.3, 1.1];
  const x = f64(xs);
  const y = x.mul(2);
  const h = y.sin();
  const out = h.mul(h).sum();
  const [gh, gy, gx] = grad(out, [h, y, x]);
  const hv = xs.map((v) => Math.sin(2 * v));
  close(gh, hv.map((v) => 2 * v), "d/dh");
  close(gy, xs.map((v, i) => 2 * hv[i] * Math.cos(2 * v)), "d/dy");
  close(gx, xs.map((v, i) => 4 * hv[i] * Math.cos(2 * v)), "d/dx");
  assert.equal(h.grad, null);
  assert.equal(x.grad, null);
});

test("grad() with an unused input: an error naming it, or null with allowUnused, or zeros with materializeGrads", () => {
  const x = f64([1, 2]);
  const z = f64([3, 4]);
  assert.throws(
    () => grad(x.square().sum(), [x, z]),
    (e: unknown) => e instanceof AutogradError && /input 1/.test((e as Error).message) && /allowUnused/.test((e as Error).message),
  );
  const [gx, gz] = grad(x.square().sum(), [x, z], { allowUnused: true });
  close(gx, [2, 4], "used");
  assert.equal(gz, null);
  const [, gz0] = grad(x.square().sum(), [x, z], { materializeGrads: true });
  close(gz0, [0, 0], "materialized");
});

test("grad() of a non-scalar output needs gradOutputs of its shape", () => {
  const x = f64([1, 2, 3]);
  const y = x.mul(2);
  assert.throws(() => grad(y, [x]), (e: unknown) => e instanceof AutogradError && /scalar outputs/.test((e as Error).message) && /\[3\]/.test((e as Error).message));
  assert.throws(() => grad(y, [x], { gradOutputs: [f64([1, 2], false)] }), (e: unknown) => e instanceof AutogradError && /\[2\]/.test((e as Error).message) && /\[3\]/.test((e as Error).message));
  close(grad(y, [x], { gradOutputs: [f64([1, 0.5, -1], false)] })[0], [2, 1, -2], "vjp");
});

test("createGraph: third derivatives (x⁴ → 24x, sin → -cos, exp·x) through grad and backward", () => {
  const xs = [0.5, -1.3, 2];
  const x = f64(xs);
  const g1 = grad(x.pow(4).sum(), [x], { createGraph: true })[0]!;
  close(g1, xs.map((v) => 4 * v ** 3), "4x³");
  const g2 = grad(g1.sum(), [x], { createGraph: true })[0]!;
  close(g2, xs.map((v) => 12 * v ** 2), "12x²");
  const g3 = grad(g2.sum(), [x])[0]!;
  close(g3, xs.map((v) => 24 * v), "24x");

  const s1 = grad(x.sin().sum(), [x], { createGraph: true })[0]!;
  const s2 = grad(s1.sum(), [x], { createGraph: true })[0]!;
  const s3 = grad(s2.sum(), [x])[0]!;
  close(s3, xs.map((v) => -Math.cos(v)), "sin'''");

  // backward with createGraph: .grad itself is differentiable
  const u = f64([0.3, 0.9]);
  u.mul(u.exp()).sum().backward(null, { createGraph: true });
  const gu = u.grad!;
  close(gu, [0.3, 0.9].map((v) => (1 + v) * Math.exp(v)), "(1+x)eˣ");
  assert.equal(gu.requiresGrad, true);
  close(grad(gu.sum(), [u])[0], [0.3, 0.9].map((v) => (2 + v) * Math.exp(v)), "(2+x)eˣ");
});

// ------------------------------------------------------------------ grad mode

test("noGrad records nothing, restores the mode after an exception, and nests with enableGrad", () => {
  const x = f64([1, 2]);
  const y = noGrad(() => x.mul(2));
  assert.equal(y.requiresGrad, false);
  assert.equal(y.gradFn, null);
  assert.equal(isGradEnabled(), true);
  assert.throws(() =>
    noGrad(() => {
      assert.equal(isGradEnabled(), false);
      throw new Error("boom");
    }),
  /boom/);
  assert.equal(isGradEnabled(), true, "restored after the exception");
  const inner = noGrad(() => {
    const r = enableGrad(() => x.mul(3));
    assert.equal(isGradEnabled(), false, "back to off after enableGrad");
    assert.throws(() => enableGrad(() => { throw new Error("inner"); }), /inner/);
    assert.equal(isGradEnabled(), false, "still off after an exception in enableGrad");
    return r;
  });
  assert.equal(inner.requiresGrad, true);
  inner.sum().backward();
  close(x.grad, [3, 3], "recorded inside enableGrad");
  assert.equal(noGrad(() => 42), 42, "returns what fn returns");
});

test("detach: same values, cut from the graph; the detached part gets no gradient", () => {
  const x = f64([0.5, 2]);
  const d = x.detach();
  assert.equal(d.requiresGrad, false);
  assert.equal(d.gradFn, null);
  assert.deepEqual(Array.from(d.storage), [0.5, 2]);
  x.mul(x.detach()).sum().backward();
  close(x.grad, [0.5, 2], "only the attached factor");
  // detach shares storage and version counter (PyTorch): an in-place change through it is seen.
  const y = f64([1, 2]);
  const e = y.exp();
  noGrad(() => e.detach().add_(1));
  assert.equal(e.version, 1);
  assert.throws(() => e.sum().backward(), /modified by an inplace operation/);
});

test("requiresGrad_ on an integer or bool tensor is a DTypeError naming the dtype", () => {
  const i = tensor([1, 2], { dtype: "int32" });
  assert.throws(() => i.requiresGrad_(), (e: unknown) => e instanceof DTypeError && /int32/.test((e as Error).message));
  assert.equal(i.requiresGrad, false);
  assert.throws(() => tensor([true], { requiresGrad: true }), (e: unknown) => e instanceof DTypeError && /bool/.test((e as Error).message));
  // and an integer result of a differentiable input carries no gradient
  const x = f64([0.2, 0.9]);
  assert.equal(dg.argmax(x).requiresGrad, false);
  assert.equal(dg.gt(x, 0.5).requiresGrad, false);
});

// ------------------------------------------------------------------ in-place

test("an in-place op on a leaf that requires grad is an error while recording, fine under noGrad", () => {
  const x = f64([1, 2]);
  assert.throws(
    () => x.add_(1),
    (e: unknown) => e instanceof AutogradError && /add_/.test((e as Error).message) && /leaf/.test((e as Error).message),
  );
  assert.deepEqual(Array.from(x.storage), [1, 2], "unchanged");
  assert.equal(x.version, 0);
  noGrad(() => x.sub_(f64([0.5, 0.5], false).mul(2)));
  assert.deepEqual(Array.from(x.storage), [0, 1]);
  assert.equal(x.version, 1);
  assert.equal(x.requiresGrad, true);
  assert.equal(x.isLeaf, true);
});

test("modifying in place a tensor saved for backward is caught at backward, naming the op (as PyTorch)", () => {
  const x = f64([0.1, -0.4, 2]);
  const a = x.sigmoid(); // sigmoid's VJP reads its output
  a.mul_(2);
  assert.throws(
    () => a.sum().backward(),
    (e: unknown) =>
      e instanceof AutogradError && /modified by an inplace operation/.test((e as Error).message) && /sigmoid/.test((e as Error).message) && /version 1/.test((e as Error).message),
  );
  // an input saved by mul
  const w = f64([1, 2, 3]);
  const h = w.mul(1); // a non-leaf
  const p = h.mul(w);
  h.add_(1);
  assert.throws(() => p.sum().backward(), (e: unknown) => e instanceof AutogradError && /modified by an inplace operation/.test((e as Error).message) && /mul/.test((e as Error).message));
});

test("in-place ops on non-leaves give PyTorch's gradients", () => {
  const x = f64([0.5, -1, 3]);
  const y = x.mul(2);
  y.add_(1);
  assert.equal(y.version, 1);
  y.sum().backward();
  close(x.grad, [2, 2, 2], "y = 2x + 1");

  const u = f64([0.5, -1, 3]);
  const v = u.mul(2);
  v.mul_(u); // v = 2u²
  v.sum().backward();
  close(u.grad, [2, -4, 12], "4u");

  const s = f64([0.3, 0.6]);
  const t = s.clone();
  assert.equal(t.mul_(3), t, "in-place ops return self");
  t.pow_(2); // t = 9s²
  t.sum().backward();
  close(s.grad, [5.4, 10.8], "18s");
  close(t, [0.81, 3.24], "t values");
});

test("an op keeps the graph its inputs had when it ran, even if they are modified in place later", () => {
  // PyTorch: z's edge points to y's old MulBackward, so x.grad = 2, not lost.
  const x = f64([1, 2]);
  const y = x.mul(2);
  const z = y.add(3);
  y.mul_(5);
  z.sum().backward();
  close(x.grad, [2, 2], "through the old y");
  // both the old and the new y contribute: z + y_new = (2x + 3) + 10x
  const x2 = f64([1, 2]);
  const y2 = x2.mul(2);
  const z2 = y2.add(3);
  y2.mul_(5);
  z2.add(y2).sum().backward();
  close(x2.grad, [12, 12], "old and new y");
});

test("in place through a view updates the base's gradient (PyTorch's CopySlices)", () => {
  const x = f64([1, 2, 3, 4]);
  const y = x.mul(1);
  y.reshape(2, 2).mul_(2);
  y.sum().backward();
  close(x.grad, [2, 2, 2, 2], "x.grad");
});

test("in place through a view of a leaf that requires grad is an error, as in PyTorch", () => {
  const x = f64([1, 2, 3, 4]);
  assert.throws(() => x.reshape(2, 2).mul_(2), (e: unknown) => e instanceof dg.AutogradError && /view of a leaf Variable/.test((e as Error).message));
  assert.deepEqual(Array.from(x.storage), [1, 2, 3, 4]);
});

test("mixed float32/float64 operands: each input's gradient comes in its own dtype", () => {
  const a = tensor([1, 2], { requiresGrad: true });
  const b = f64([3, 4]);
  const y = dg.mul(a, b);
  assert.equal(y.dtype, "float64");
  y.sum().backward();
  assert.equal(a.grad!.dtype, "float32");
  assert.equal(b.grad!.dtype, "float64");
  close(a.grad, [3, 4], "a.grad");
  close(b.grad, [1, 2], "b.grad");
  const [ga, gb] = grad(dg.add(a, b).sum(), [a, b]);
  assert.equal(ga!.dtype, "float32");
  assert.equal(gb!.dtype, "float64");
});

// ------------------------------------------------------------------ memory

/** A forced GC: --expose-gc when given, else v8's flag set at run time (works in Node ≥ 20). */
function gcFunction(): (() => void) | null {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === "function") return g;
  try {
    v8.setFlagsFromString("--expose-gc");
    return vm.runInNewContext("gc") as () => void;
  } catch {
    return null;
  }
}

test("100,000 steps of the article's raw training loop keep the heap flat", () => {
  const x = dg.linspace(-1, 1, 200).reshape(200, 1);
  const yTrue = x.mul(0.1).add(0.3);
  const w = tensor([[0.05]], { requiresGrad: true });
  const b = tensor([0.01], { requiresGrad: true });
  const gc = gcFunction();
  const heapAt = (): number => {
    gc?.();
    return process.memoryUsage().heapUsed;
  };
  const step = (): number => {
    const pred = x.matmul(w).add(b);
    const loss = dg.mean(dg.square(pred.sub(yTrue)));
    loss.backward();
    noGrad(() => {
      w.sub_(w.grad!.mul(0.01));
      b.sub_(b.grad!.mul(0.01));
      w.grad!.zero_();
      b.grad!.zero_();
    });
    return loss.item();
  };
  for (let i = 0; i < 20_000; i++) step();
  const early = heapAt();
  let last = 0;
  for (let i = 20_000; i < 100_000; i++) last = step();
  const late = heapAt();
  // Without a forced GC the heap floats with the collector's schedule: allow more slack.
  const slack = gc ? 2e6 : 3e7;
  assert.ok(late - early < slack, `heap grew by ${((late - early) / 1e6).toFixed(2)} MB over 80,000 steps (forced GC: ${gc !== null})`);
  // and the loop did train: w → 0.1, b → 0.3
  assert.ok(Math.abs(w.item() - 0.1) < 1e-3 && Math.abs(b.item() - 0.3) < 1e-3, `w ${w.item()}, b ${b.item()}`);
  assert.ok(last < 1e-6);
  assert.equal(w.grad!.storage[0], 0);
});

test("a backward that fails leaves the leaves' .grad unchanged", () => {
  const x = f64([1, 2]);
  x.mul(3).sum().backward();
  const before = Array.from(x.grad!.storage);
  const a = x.sigmoid();
  const c = a.mul(x); // mul saves a
  a.mul_(2); // ...which is then modified
  assert.throws(() => c.sum().backward(), DuogradError);
  assert.deepEqual(Array.from(x.grad!.storage), before);
});
