// tf.Variable and TensorFlow's function conventions: axis/keepdims, reductions over every axis by
// default, matmul's transposes, constant, zip, dtype names.
import { test } from "node:test";
import assert from "node:assert/strict";
import { tf, ShapeError, ValueError, Tensor } from "../src/index.js";

const vals = (t: Tensor): number[] => Array.from(t.dataSync());

test("Variable: a Tensor usable in every op, assign/assignAdd/assignSub in place, numpy, value", () => {
  const init = tf.constant([1, 2, 3]);
  const v = new tf.Variable(init, { name: "v" });
  assert.ok(v instanceof Tensor);
  assert.equal(v.name, "v:0");
  assert.equal(v.trainable, true);
  assert.equal(v.requiresGrad, true);
  assert.deepEqual(vals(v.mul(2)), [2, 4, 6]);
  assert.deepEqual(vals(tf.add(v, 1)), [2, 3, 4]);
  const snapshot = v.value();
  v.assign(tf.constant([4, 5, 6]));
  assert.deepEqual(vals(init), [1, 2, 3], "the variable owns its storage");
  assert.deepEqual(vals(snapshot), [1, 2, 3], "value() is a snapshot");
  v.assignAdd([1, 1, 1]);
  v.assignSub(tf.constant([0.5, 0.5, 0.5]));
  assert.deepEqual(v.numpy(), [4.5, 5.5, 6.5]);
  assert.throws(() => v.assign(tf.constant([1, 2])), (e: unknown) => e instanceof ShapeError && /variable 'v:0' of shape \[3\]/.test((e as Error).message) && /shape \[2\]/.test((e as Error).message));
  assert.deepEqual(v.numpy(), [4.5, 5.5, 6.5], "a failed assign changes nothing");
  const frozen = new tf.Variable(0, { trainable: false });
  assert.equal(frozen.requiresGrad, false);
  assert.equal(new tf.Variable(() => tf.ones([2])).shape[0], 2, "initial value from a function");
  assert.equal(tf.reduceSum(tf.constant(3)).numpy(), 3, "numpy() of a 0-d tensor is a number");
});

test("reductions: every axis by default, axis lists, keepdims", () => {
  const x = tf.constant([[1, 2, 3], [4, 5, 6]]);
  assert.equal(tf.reduceMean(x).item(), 3.5);
  assert.deepEqual(tf.reduceMean(x).shape, []);
  assert.deepEqual(vals(tf.reduceSum(x, 0)), [5, 7, 9]);
  assert.deepEqual(tf.reduceSum(x, 1, true).shape, [2, 1]);
  assert.deepEqual(vals(tf.reduceMax(x, -1)), [3, 6]);
  assert.deepEqual(vals(tf.reduceMin(x, [0, 1])), [1]);
  assert.deepEqual(vals(tf.reduceProd(x, 1)), [6, 120]);
  assert.ok(Math.abs(tf.reduceVariance(x).item() - 35 / 12) < 1e-6, "population variance");
  assert.deepEqual(vals(tf.argmax(x)), [1, 1, 1], "argmax over axis 0 by default");
  assert.deepEqual(vals(tf.argmax(x, 1)), [2, 2]);
});

test("matmul with transposeA/transposeB; TF refuses vectors", () => {
  const a = tf.constant([[1, 2], [3, 4], [5, 6]]); // [3, 2]
  const b = tf.constant([[1, 0], [0, 1], [1, 1]]); // [3, 2]
  assert.deepEqual(vals(tf.matmul(a, b, { transposeA: true })), [6, 8, 8, 10]);
  assert.deepEqual(tf.matmul(a, b, { transposeB: true }).shape, [3, 3]);
  assert.deepEqual(vals(tf.matmul(a, b, false, true)), vals(tf.matmul(a, tf.transpose(b))));
  assert.throws(() => tf.matmul(tf.constant([1, 2]), a), /must be at least 2-D/);
});

test("constant, convertToTensor, shapes, creation", () => {
  assert.deepEqual(tf.constant(0, tf.float32, [2, 2]).shape, [2, 2]);
  assert.deepEqual(tf.constant([1, 2, 3, 4], null, [2, 2]).shape, [2, 2]);
  assert.equal(tf.constant([1, 2], tf.int32).dtype, "int32");
  assert.equal(tf.convertToTensor(Float64Array.of(1, 2)).dtype, "float64");
  const t = tf.constant([1, 2]);
  assert.equal(tf.convertToTensor(t), t, "a tensor converts to itself");
  assert.notEqual(tf.constant(t), t);
  assert.deepEqual(tf.reshape(tf.range(6), [2, -1]).shape, [2, 3]);
  assert.deepEqual(tf.expandDims(t, 0).shape, [1, 2]);
  assert.deepEqual(tf.squeeze(tf.zeros([1, 3, 1])).shape, [3]);
  assert.throws(() => tf.squeeze(tf.zeros([2, 3]), 0), /can not squeeze dim\[0\]/);
  assert.deepEqual(vals(tf.tile(tf.constant([[1, 2]]), [2, 2])), [1, 2, 1, 2, 1, 2, 1, 2]);
  assert.deepEqual(vals(tf.gather(tf.constant([[1, 2], [3, 4], [5, 6]]), tf.constant([2, 0], tf.int32))), [5, 6, 1, 2]);
  assert.deepEqual(vals(tf.oneHot(tf.constant([0, 2], tf.int32), 3)), [1, 0, 0, 0, 0, 1]);
  assert.deepEqual(vals(tf.slice(tf.range(5), [1], [-1])), [1, 2, 3, 4]);
  assert.deepEqual(vals(tf.concat([t, t], 0)), [1, 2, 1, 2]);
  assert.deepEqual(tf.stack([t, t], 1).shape, [2, 2]);
  assert.deepEqual(tf.unstack(tf.zeros([3, 2]), 1).map((u) => u.shape), [[3], [3]]);
  assert.deepEqual(tf.split(tf.range(6), 3).map((u) => vals(u)), [[0, 1], [2, 3], [4, 5]]);
  assert.deepEqual(vals(tf.zerosLike(t)), [0, 0]);
  assert.deepEqual(vals(tf.clipByValue(tf.constant([-2, 0.5, 3]), 0, 1)), [0, 0.5, 1]);
});

test("tf.zip pairs grads with variables as Python's zip", () => {
  const z = tf.zip([1, 2, 3], ["a", "b"]);
  assert.deepEqual(z, [[1, "a"], [2, "b"]]);
});

test("tf.random: seeded, shapes and ranges; setSeed repeats the stream", () => {
  tf.random.setSeed(7);
  const a = tf.random.uniform([1000], -0.1, 0.1);
  const n = tf.random.normal([1000], 2, 0.5);
  tf.random.setSeed(7);
  assert.deepEqual(vals(tf.random.uniform([1000], -0.1, 0.1)), vals(a));
  assert.ok(vals(a).every((v) => v >= -0.1 && v < 0.1));
  assert.ok(Math.abs(tf.reduceMean(n).item() - 2) < 0.1);
  const tn = tf.random.truncatedNormal([2000], 0, 1);
  assert.ok(vals(tn).every((v) => Math.abs(v) <= 2));
  assert.throws(() => tf.random.uniform([2], 1, 1), ValueError);
});

test("tf.nn: softmax over the last axis, cross-entropies with logits", () => {
  const logits = tf.constant([[1, 2, 3], [1, 1, 1]], tf.float64);
  const sm = tf.nn.softmax(logits);
  assert.ok(vals(tf.reduceSum(sm, 1)).every((s) => Math.abs(s - 1) < 1e-12));
  const labels = tf.constant([[0, 0, 1], [1, 0, 0]], tf.float64);
  const ce = tf.nn.softmaxCrossEntropyWithLogits({ labels, logits });
  const lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
  assert.ok(Math.abs(vals(ce)[0] - (lse - 3)) < 1e-12);
  assert.ok(Math.abs(vals(ce)[1] - Math.log(3)) < 1e-12);
  const sparse = tf.nn.sparseSoftmaxCrossEntropyWithLogits({ labels: tf.constant([2, 0], tf.int32), logits });
  assert.deepEqual(vals(sparse), vals(ce));
  const sce = tf.nn.sigmoidCrossEntropyWithLogits({ labels: tf.constant([1, 0], tf.float64), logits: tf.constant([0.5, -2], tf.float64) });
  const s = (x: number) => 1 / (1 + Math.exp(-x));
  assert.ok(Math.abs(vals(sce)[0] + Math.log(s(0.5))) < 1e-12);
  assert.ok(Math.abs(vals(sce)[1] + Math.log(1 - s(-2))) < 1e-12);
});
