// The eager fast paths: the binary and unary op wrappers' shortcut past applyRule, the JS
// kernels' float32 loops, and the wasm kernels' size thresholds. Each must give what the general
// path gives: the same dtype, values bit for bit (signed zeros included), the same graph node,
// the same errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { jsBackend } from "../src/backend/js/index.js";
import { wasmBackend } from "../src/backend/wasm/index.js";
import type { BinaryKernel, UnaryKernel } from "../src/backend/backend.js";
import { apply } from "../src/ops/apply.js";
import { add, div, gt, mul, neg, noGrad, relu, square, sub, tensor, Tensor, zerosLike } from "../src/index.js";
import { NO_ATTRS } from "../src/ops/util.js";

let seed = 987654321;
function rand(): number {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 4294967296;
}
/** Floats with the awkward values mixed in (signed zeros, NaN, infinities, subnormals, huge). */
function specials(n: number): Float32Array {
  const odd = [NaN, Infinity, -Infinity, 0, -0, 1e-40, 3e38, -3e38, 1, -1];
  return Float32Array.from({ length: n }, (_, i) => (i % 7 === 3 ? odd[Math.floor(rand() * odd.length)] : rand() * 8 - 4));
}
function sameBits(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < got.length; i++) {
    const g = got[i];
    const w = want[i];
    if (!(Object.is(g, w) || (g !== g && w !== w))) assert.fail(`${what}: element ${i} is ${g}, expected ${w}`);
  }
}

test("wasm elementwise kernels equal the JS kernels on both sides of each size threshold", () => {
  const ops: BinaryKernel[] = ["add", "sub", "mul", "div", "maximum", "minimum", "eq", "lt", "ge"];
  for (const n of [31, 47, 48, 63, 64, 65, 95, 96, 97, 127, 128, 200]) {
    for (const op of ops) {
      const compare = op === "eq" || op === "lt" || op === "ge";
      for (const [as, bs] of [[[n], [n]], [[n], [1]], [[1], [n]], [[n, 1], [1]]] as const) {
        const a = specials(as.reduce((p, d) => p * d, 1));
        const b = specials(bs.reduce((p, d) => p * d, 1));
        const outShape = as.length >= bs.length ? as : bs;
        const got = compare ? new Uint8Array(n) : new Float32Array(n);
        const want = compare ? new Uint8Array(n) : new Float32Array(n);
        wasmBackend.binary(op, a, as, b, bs, got, outShape);
        jsBackend.binary(op, a, as, b, bs, want, outShape);
        sameBits(got, want, `${op} ${JSON.stringify(as)} ${JSON.stringify(bs)}`);
      }
    }
    for (const op of ["neg", "abs", "sqrt", "relu", "square", "reciprocal"] as UnaryKernel[]) {
      const x = specials(n);
      const got = new Float32Array(n);
      const want = new Float32Array(n);
      wasmBackend.unary(op, x, got, 0, 0);
      jsBackend.unary(op, x, want, 0, 0);
      sameBits(got, want, `${op} n=${n}`);
    }
  }
});

test("the JS kernels' float32 loops equal the float64 kernel rounded once, at every size", () => {
  for (const n of [1, 2, 16, 31, 32, 33, 200]) {
    const x = specials(n);
    for (const op of ["square", "neg", "relu", "exp", "log", "tanh", "sigmoid", "sqrt", "rsqrt", "abs", "reciprocal", "silu", "gelu", "gelu_tanh"] as UnaryKernel[]) {
      const got = new Float32Array(n);
      jsBackend.unary(op, x, got, 0, 0);
      const wide = new Float64Array(n);
      jsBackend.unary(op, Float64Array.from(x), wide, 0, 0);
      sameBits(got, Float32Array.from(wide), `${op} n=${n}`);
    }
    for (const op of ["add", "sub", "mul", "div", "relu_backward"] as BinaryKernel[]) {
      const a = specials(n);
      for (const b of [specials(n), specials(1)]) {
        const got = new Float32Array(n);
        jsBackend.binary(op, a, [n], b, [b.length], got, [n]);
        const wide = new Float64Array(n);
        jsBackend.binary(op, Float64Array.from(a), [n], Float64Array.from(b), [b.length], wide, [n]);
        sameBits(got, Float32Array.from(wide), `${op} n=${n} b=${b.length}`);
        // The scalar on the left (stride 0 first) walks the general float32 loop.
        const left = new Float32Array(n);
        jsBackend.binary(op, b.subarray(0, 1), [1], a, [n], left, [n]);
        const leftWide = new Float64Array(n);
        jsBackend.binary(op, Float64Array.from(b.subarray(0, 1)), [1], Float64Array.from(a), [n], leftWide, [n]);
        sameBits(left, Float32Array.from(leftWide), `${op} scalar-left n=${n}`);
      }
    }
  }
});

/** The general path of a binary op: applyRule with the table's rule. */
const general = (name: "add" | "mul" | "gt", a: Tensor, b: Tensor): Tensor => apply(name, [a, b], NO_ATTRS);

test("binary op wrappers: dtype promotion with wrapped numbers and tensors as the general path", () => {
  const f32 = tensor([1.5, -2, 3]);
  const f64 = tensor([1.5, -2, 3], { dtype: "float64" });
  const i32 = tensor([1, 2, 3], { dtype: "int32" });
  const z64 = tensor(2.5, { dtype: "float64" });
  assert.equal(add(f32, 2).dtype, "float32");
  assert.equal(add(2.5, f32).dtype, "float32");
  assert.equal(sub(f64, 0.1).dtype, "float64");
  assert.equal(sub(0.1, f64).dtype, "float64");
  assert.deepEqual(sub(0.1, f64).tolist(), [0.1 - 1.5, 0.1 + 2, 0.1 - 3]);
  assert.equal(mul(f32, true).dtype, "float32");
  assert.equal(div(i32, 2).dtype, "float32"); // true division of ints (general path)
  assert.equal(add(i32, 1.5).dtype, "float32"); // a wrapped float beside ints (general path)
  assert.equal(add(f32, z64).dtype, "float32"); // a dimensioned tensor outranks a 0-d one
  assert.equal(add(f32, f64).dtype, "float64");
  assert.equal(gt(f32, 0).dtype, "bool");
  // Values equal the general path's, for the tensor operands it accepts.
  sameBits(mul(f32, f32).storage, general("mul", f32, f32).storage, "mul");
  sameBits(add(f64, f64).storage, general("add", f64, f64).storage, "add float64");
  sameBits(gt(f32, f32.neg()).storage, general("gt", f32, f32.neg()).storage, "gt");
  // Shape errors name the op, as the general path's.
  assert.throws(() => add(f32, tensor([1, 2])), /add: the size of tensor a \(3\) must match the size of tensor b \(2\)/);
  assert.throws(() => mul(tensor([[1, 2]]), tensor([1, 2, 3])), /mul: the size of tensor a/);
});

test("binary and unary op wrappers record the same nodes as the general path", () => {
  const w = tensor([0.5, -1.5, 2], { requiresGrad: true });
  const c = tensor([2, 3, 4]);
  const y = mul(w, c);
  assert.equal(y.requiresGrad, true);
  assert.equal(y.gradFn?.name, "mul");
  assert.deepEqual(y.gradFn?.inputs, [w, c]);
  const s = square(y);
  assert.equal(s.gradFn?.name, "square");
  const r = relu(neg(w));
  assert.equal(r.gradFn?.name, "relu");
  assert.equal(r.gradFn?.inputFns[0]?.name, "neg");
  // Comparisons never record; nothing records under noGrad or without a grad-requiring input.
  assert.equal(gt(w, 0).gradFn, null);
  assert.equal(gt(w, 0).requiresGrad, false);
  noGrad(() => {
    assert.equal(mul(w, c).gradFn, null);
    assert.equal(square(w).gradFn, null);
  });
  assert.equal(add(c, 1).requiresGrad, false);
  // Gradients through the fast paths: d/dw sum(square(w·c) − 1) = 2·(w·c)·c.
  const loss = sub(s, 1).sum();
  loss.backward();
  const want = [2 * 0.5 * 2 * 2, 2 * -1.5 * 3 * 3, 2 * 2 * 4 * 4];
  assert.deepEqual(w.grad?.tolist(), want);
  // A wrapped number on the left still reaches the tensor's gradient (sub(1, w): −1 each).
  const v = tensor([1, 2], { requiresGrad: true });
  sub(1, v).sum().backward();
  assert.deepEqual(v.grad?.tolist(), [-1, -1]);
  // In-place changes of a saved input are caught for fast-path nodes too.
  const x = tensor([1, 2], { requiresGrad: true });
  const h = mul(x, 2);
  const z = mul(h, h);
  noGrad(() => h.add_(zerosLike(h)));
  assert.throws(() => z.sum().backward(), /modified by an inplace operation/);
});

test("fused gradient kernels: square_backward is g·(2x) with 2x rounded first, relu_backward is threshold_backward", () => {
  for (const n of [1, 5, 31, 32, 64, 200, 1000]) {
    const g = specials(n);
    const x = specials(n);
    // float32: the product of g and 2x rounded to float32 (overflowing to ±∞ as x·2 does).
    const twoX = new Float32Array(n);
    jsBackend.binary("mul", x, [n], Float32Array.of(2), [1], twoX, [n]);
    const want = new Float32Array(n);
    jsBackend.binary("mul", g, [n], twoX, [n], want, [n]);
    for (const be of [jsBackend, wasmBackend]) {
      const got = new Float32Array(n);
      be.binary("square_backward", g, [n], x, [n], got, [n]);
      sameBits(got, want, `${be.name} square_backward n=${n}`);
      // PyTorch's threshold_backward(grad, result, 0): result ≤ 0 gives +0, anything else (NaN too) the gradient.
      const relu = new Float32Array(n);
      be.binary("relu_backward", g, [n], x, [n], relu, [n]);
      sameBits(relu, Float32Array.from(x, (y, i) => (y <= 0 ? 0 : g[i])), `${be.name} relu_backward n=${n}`);
    }
  }
});

test("relu's gradient follows PyTorch's threshold_backward: a NaN output passes it, an infinite gradient at a negative input gives 0", () => {
  for (const n of [5, 300]) {
    const xs = [-1, 2, NaN, 0, -0];
    const gs = [Infinity, 3, 4, NaN, -2];
    const x = tensor(Array.from({ length: n }, (_, i) => xs[i % 5]), { requiresGrad: true });
    relu(x).backward(tensor(Array.from({ length: n }, (_, i) => gs[i % 5])));
    const got = x.grad!.tolist() as number[];
    sameBits(got.slice(0, 5), [0, 3, 4, 0, 0], `n=${n}`);
  }
});

test("where's float32 loop equals the broadcasting loop", () => {
  for (const n of [1, 7, 200]) {
    const c = Uint8Array.from({ length: n }, () => (rand() < 0.5 ? 1 : 0));
    const a = specials(n);
    const b = specials(n);
    for (const [cc, aa, bb] of [[c, a, b], [c, a.subarray(0, 1), b], [c, a, b.subarray(0, 1)], [c.subarray(0, 1), a, b]] as const) {
      const got = new Float32Array(n);
      jsBackend.where(cc, [cc.length], aa, [aa.length], bb, [bb.length], got, [n]);
      const want = Float32Array.from({ length: n }, (_, i) => (cc[cc.length === 1 ? 0 : i] ? aa[aa.length === 1 ? 0 : i] : bb[bb.length === 1 ? 0 : i]));
      sameBits(got, want, `where n=${n}`);
    }
  }
});

test("mean is the sum divided by the count in the dtype, and its gradient g/n", () => {
  for (const dtype of ["float32", "float64"] as const) {
    const v = Array.from({ length: 200 }, () => rand() * 10 - 3);
    const x = tensor(v, { dtype, requiresGrad: true });
    const m = x.mean();
    sameBits(m.storage, div(x.sum(), 200).storage, `${dtype} mean`);
    m.backward();
    sameBits(x.grad!.storage, div(tensor(1, { dtype }), 200).expand(200).storage, `${dtype} mean's gradient`);
  }
});
