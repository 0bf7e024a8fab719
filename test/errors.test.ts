// Bad inputs, one class per test: the error is typed, its message names the op and the shapes or
// values involved (PyTorch-like wording), and the user's tensors are left exactly as they were.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as dg from "../src/index.js";
import { AutogradError, DTypeError, DuogradError, IndexError, noGrad, ShapeError, tensor, Tensor, zeros } from "../src/index.js";

interface Snapshot {
  t: Tensor;
  data: number[];
  shape: number[];
  dtype: string;
  grad: number[] | null;
  version: number;
  requiresGrad: boolean;
  gradFn: unknown;
}

const snap = (t: Tensor): Snapshot => ({
  t,
  data: Array.from(t.storage),
  shape: t.shape.slice(),
  dtype: t.dtype,
  grad: t.grad ? Array.from(t.grad.storage) : null,
  version: t.version,
  requiresGrad: t.requiresGrad,
  gradFn: t.gradFn,
});

/**
 * `fn` must throw an instance of `cls` whose message matches every pattern, and leave the tensors
 * unchanged: data, shape, dtype, .grad, version, requiresGrad and gradFn.
 */
function rejects(fn: () => unknown, cls: new (...a: any[]) => DuogradError, patterns: (RegExp | string)[], tensors: Tensor[]): void {
  const before = tensors.map(snap);
  let caught: unknown = null;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught !== null, "expected an error");
  assert.ok(caught instanceof cls, `expected ${cls.name}, got ${(caught as Error)?.constructor?.name}: ${(caught as Error)?.message}`);
  assert.ok(caught instanceof DuogradError);
  const msg = (caught as Error).message;
  for (const p of patterns) {
    if (typeof p === "string") assert.ok(msg.includes(p), `message ${JSON.stringify(msg)} should contain ${JSON.stringify(p)}`);
    else assert.match(msg, p);
  }
  before.forEach((b, i) => assert.deepEqual(snap(b.t), b, `input ${i} changed by a failing call`));
}

const rand = (shape: number[], requiresGrad = false): Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  const t = tensor(Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1)), { dtype: "float32" }).reshape(shape).detach();
  return requiresGrad ? t.requiresGrad_(true) : t;
};

// Tensors that already took part in a backward pass, so that a failing op has a .grad and a
// version to (not) disturb.
function withGrad(shape: number[]): Tensor {
  const t = rand(shape, true);
  t.mul(t).sum().backward();
  return t;
}

test("shape mismatch: broadcasting ops name the op and both shapes", () => {
  const a = withGrad([2, 3]);
  const b = withGrad([4]);
  rejects(() => a.add(b), ShapeError, ["add", "[2, 3]", "[4]", /size of tensor a \(3\) must match the size of tensor b \(4\) at non-singleton dimension 1/], [a, b]);
  rejects(() => dg.mul(a, b), ShapeError, ["mul", "[2, 3]", "[4]"], [a, b]);
  rejects(() => dg.where(dg.gt(a, 0), a, b), ShapeError, ["where", "[4]"], [a, b]);
  // in place: the result would not fit the destination
  const small = rand([3]);
  const big = rand([2, 3]);
  rejects(() => small.add_(big), ShapeError, ["add_", "[3]", "[2, 3]"], [small, big]);
  rejects(() => dg.cat([a, rand([2, 4])], 0), ShapeError, ["cat", "[2, 3]", "[2, 4]"], [a]);
  rejects(() => dg.stack([a, rand([3, 2])]), ShapeError, ["stack", "[2, 3]", "[3, 2]"], [a]);
  rejects(() => a.expand(4, 3), ShapeError, ["expand", "[2, 3]", "[4, 3]"], [a]);
  rejects(() => dg.expand(a, [-1, 2, 3]), ShapeError, ["expand: -1 is not allowed in a leading, non-existing dimension", "[-1, 2, 3]"], [a]);
});

test("expand: -1 keeps a dim, and the result's shape is its own (not the caller's array)", () => {
  const a = tensor([[1], [2]]);
  const target = [3, -1, 4];
  const e = dg.expand(a, target);
  assert.deepEqual(e.shape, [3, 2, 4]);
  assert.deepEqual(Array.from(e.storage), [1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 1, 1, 2, 2, 2, 2]);
  assert.deepEqual(target, [3, -1, 4], "the caller's array is left as it was");
  const full = [2, 5];
  const f = dg.expand(a, full);
  full[1] = 7;
  assert.deepEqual(f.shape, [2, 5], "a later change to the caller's array does not reach the tensor");
});

test("shape mismatch: matmul says 'mat1 and mat2 shapes cannot be multiplied (200x1 and 2x1)'", () => {
  const x = rand([200, 1], true);
  const w = withGrad([2, 1]);
  rejects(() => x.matmul(w), ShapeError, ["matmul: mat1 and mat2 shapes cannot be multiplied (200x1 and 2x1)"], [x, w]);
  rejects(() => dg.matmul(rand([2, 3, 4]), rand([2, 5, 6])), ShapeError, ["matmul", "[2, 3, 4]", "[2, 5, 6]"], []);
  rejects(() => dg.matmul(rand([3]), rand([4])), ShapeError, ["matmul", "1x3", "4x1"], []);
  rejects(() => dg.matmul(rand([2, 2, 3]), rand([3, 3, 4])), ShapeError, ["matmul", "(2)", "(3)"], []);
});

test("wrong dtype: a float index, an integer tensor where floats are needed", () => {
  const x = withGrad([3, 4]);
  const fIndex = tensor([[0, 1], [2, 3], [1, 1]]); // float32
  rejects(() => dg.gather(x, 1, fIndex), DTypeError, ["gather", "float32", "[3, 2]"], [x, fIndex]);
  const i = tensor([[1, 2], [3, 4]], { dtype: "int32" });
  rejects(() => i.mean(), DTypeError, ["mean", "int32", "[2, 2]"], [i]);
  rejects(() => dg.softmax(i, 1), DTypeError, ["softmax", "int32"], [i]);
  rejects(() => dg.logSoftmax(i, 1), DTypeError, ["log_softmax", "int32"], [i]);
  rejects(() => i.requiresGrad_(), DTypeError, ["requiresGrad_", "int32"], [i]);
  // in place: a float result cannot be written into an int tensor
  rejects(() => i.mul_(0.5), DTypeError, ["mul_", "float32", "int32"], [i]);
});

test("dim out of range names the op, the valid range and the dim", () => {
  const x = withGrad([2, 3]);
  rejects(() => x.sum(2), IndexError, ["sum", "[-2, 1]", "got 2"], [x]);
  rejects(() => x.mean(-3), IndexError, ["mean", "[-2, 1]", "got -3"], [x]);
  rejects(() => dg.softmax(x, 5), IndexError, ["softmax", "[-2, 1]", "got 5"], [x]);
  rejects(() => dg.logSoftmax(x, -3), IndexError, ["log_softmax", "got -3"], [x]);
  rejects(() => x.transpose(0, 2), IndexError, ["transpose", "got 2"], [x]);
  rejects(() => x.max(2), IndexError, ["max", "got 2"], [x]);
  rejects(() => dg.cat([x, x], 2), IndexError, ["cat", "got 2"], [x]);
  rejects(() => x.unsqueeze(4), IndexError, ["unsqueeze", "[-3, 2]", "got 4"], [x]);
  rejects(() => dg.cumsum(x, -3), IndexError, ["cumsum", "got -3"], [x]);
});

test("index out of range: select and gather name the index and the size", () => {
  const x = withGrad([3, 4]);
  rejects(() => x.select(0, 3), IndexError, ["select", "index 3", "size 3"], [x]);
  rejects(() => x.select(1, -5), IndexError, ["select", "index -5", "size 4"], [x]);
  const idx = tensor([[0, 7]], { dtype: "int32" });
  rejects(() => dg.gather(x, 1, idx), IndexError, ["gather", "index 7", "size 4"], [x, idx]);
  const neg = tensor([[0, -1]], { dtype: "int32" });
  rejects(() => dg.gather(x, 1, neg), IndexError, ["gather", "index -1"], [x, neg]);
  const dst = withGrad([3, 4]);
  const src = rand([1, 2]);
  rejects(() => dg.scatterAdd(dst, 0, idx, src), IndexError, ["scatter_add", "index 7", "size 3"], [dst, idx, src]);
  rejects(() => x.narrow(1, 2, 3), IndexError, ["narrow", "(2)", "(3)", "(4)"], [x]);
});

test("impossible reshape names the shape and the element count", () => {
  const x = withGrad([2, 3]);
  rejects(() => x.reshape(4, 2), ShapeError, ["reshape", "'[4, 2]'", "size 6"], [x]);
  rejects(() => x.reshape(-1, 4), ShapeError, ["reshape", "[-1, 4]", "size 6"], [x]);
  rejects(() => x.reshape(-1, -1), ShapeError, ["reshape", "only one dimension can be inferred"], [x]);
  rejects(() => x.view(7), ShapeError, ["'[7]'", "size 6"], [x]);
  rejects(() => x.permute(1, 0, 2), ShapeError, ["permute", "[2, 3]"], [x]);
});

test("backward of a non-scalar without a gradient, or of a tensor that needs none", () => {
  const x = withGrad([2, 3]);
  const y = x.mul(2);
  rejects(() => y.backward(), AutogradError, ["backward", "scalar outputs", "[2, 3]"], [x, y]);
  // a gradient of the wrong shape
  const g = zeros([3, 2]);
  rejects(() => y.backward(g), AutogradError, ["backward", "[3, 2]", "[2, 3]"], [x, y, g]);
  // nothing requires grad
  const c = rand([2]);
  rejects(() => c.sum().backward(), AutogradError, ["backward", "does not require grad"], [c]);
  // and the graph is intact afterwards: a correct call still works
  y.backward(dg.onesLike(y));
  assert.ok(x.grad !== null);
});

test("in-place on a leaf that requires grad, and backward through a modified saved tensor", () => {
  const x = withGrad([3]);
  rejects(() => x.mul_(2), AutogradError, ["mul_", "leaf", "[3]"], [x]);
  rejects(() => x.zero_(), AutogradError, ["zero_", "leaf"], [x]);
  const a = x.exp();
  noGrad(() => a.add_(1));
  rejects(() => a.sum().backward(), AutogradError, ["modified by an inplace operation", "exp", "version 1", "version 0"], [x]);
});
