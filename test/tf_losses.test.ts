// Keras' losses and metrics against Keras' formulas written here on plain numbers: the mean over
// the last axis, the reduction over the batch, probability clipping, label smoothing, names.
import { test } from "node:test";
import assert from "node:assert/strict";
import { tf, ValueError, Tensor } from "../src/index.js";

const L = tf.keras.losses;
const EPS = 1e-7;
const vals = (t: Tensor): number[] => Array.from(t.dataSync());
const f64 = (v: number[] | number[][]) => tf.constant(v as number[], tf.float64);
const close = (a: number[], b: number[], tol = 1e-12, msg = "") =>
  a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) <= tol * (1 + Math.abs(b[i])), `${msg}[${i}]: ${x} vs ${b[i]}`));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const clip = (p: number) => Math.min(Math.max(p, EPS), 1 - EPS);

const T = [[0.5, 1.0, -1.0], [2.0, 0.0, 1.5]];
const P = [[0.7, 0.2, -1.5], [1.0, 0.3, 4.0]];

test("tf.losses.mse / mae average over the last axis only", () => {
  const perRow = T.map((r, i) => mean(r.map((t, j) => (P[i][j] - t) ** 2)));
  assert.deepEqual(L.mse(f64(T), f64(P)).shape, [2]);
  close(vals(L.mse(f64(T), f64(P))), perRow);
  close(vals(tf.losses.meanAbsoluteError(f64(T), f64(P))), T.map((r, i) => mean(r.map((t, j) => Math.abs(P[i][j] - t)))));
  // The article's call: two vectors give a scalar.
  const v = L.mse(f64([1, 2, 3]), f64([1, 2, 5]));
  assert.deepEqual(v.shape, []);
  close([v.item()], [4 / 3]);
});

test("Loss classes reduce by sum over batch size (the mean), or sum, or none; sample weights", () => {
  const perRow = T.map((r, i) => mean(r.map((t, j) => (P[i][j] - t) ** 2)));
  close([new L.MeanSquaredError()(f64(T), f64(P)).item()], [mean(perRow)]);
  close([new L.MeanSquaredError({ reduction: "sum" })(f64(T), f64(P)).item()], [perRow[0] + perRow[1]]);
  close(vals(new L.MeanSquaredError({ reduction: "none" })(f64(T), f64(P))), perRow);
  close([new L.MeanSquaredError()(f64(T), f64(P), f64([0.25, 2])).item()], [(0.25 * perRow[0] + 2 * perRow[1]) / 2]);
});

test("a Loss object squeezes [batch, 1] predictions against [batch] labels (no broadcasting)", () => {
  const yTrue = f64([1, 2, 3]);
  const yPred = f64([[1], [2], [5]]);
  close([new L.MeanSquaredError()(yTrue, yPred).item()], [4 / 3]);
  // The plain function broadcasts, as TF's does ([3] against [3, 1] -> [3, 3] -> mean over the last axis).
  assert.deepEqual(L.mse(yTrue, yPred).shape, [3]);
});

test("Huber: quadratic within delta, linear beyond", () => {
  const delta = 1.5;
  const h = (e: number) => (Math.abs(e) <= delta ? 0.5 * e * e : delta * Math.abs(e) - 0.5 * delta * delta);
  const perRow = T.map((r, i) => mean(r.map((t, j) => h(P[i][j] - t))));
  close(vals(L.huber(f64(T), f64(P), delta)), perRow);
  close([new L.Huber({ delta })(f64(T), f64(P)).item()], [mean(perRow)]);
  assert.equal(new L.Huber().name, "huber_loss");
});

test("binary cross-entropy: probabilities clipped to [ε, 1−ε] and log(p + ε); logits; label smoothing", () => {
  const y = [[1, 0, 1], [0, 0, 1]];
  const p = [[0.9, 0.2, 1.0], [0.0, 0.4, 0.6]];
  const bce = (yy: number, pp: number) => -(yy * Math.log(clip(pp) + EPS) + (1 - yy) * Math.log(1 - clip(pp) + EPS));
  close(vals(L.binaryCrossentropy(f64(y), f64(p))), y.map((r, i) => mean(r.map((t, j) => bce(t, p[i][j])))));
  const logits = [[2.0, -1.0, 0.5], [-3.0, 0.0, 4.0]];
  const sig = (x: number) => 1 / (1 + Math.exp(-x));
  const exact = y.map((r, i) => mean(r.map((t, j) => -(t * Math.log(sig(logits[i][j])) + (1 - t) * Math.log(1 - sig(logits[i][j]))))));
  close(vals(L.binaryCrossentropy(f64(y), f64(logits), { fromLogits: true })), exact, 1e-10);
  const s = 0.2;
  const smoothed = y.map((r, i) => mean(r.map((t, j) => bce(t * (1 - s) + 0.5 * s, p[i][j]))));
  close([new L.BinaryCrossentropy({ labelSmoothing: s })(f64(y), f64(p)).item()], [mean(smoothed)]);
});

test("categorical cross-entropy: renormalized and clipped probabilities; logits; label smoothing", () => {
  const y = [[0, 1, 0], [0, 0, 1]];
  const p = [[0.2, 0.6, 0.4], [0.1, 0.1, 0.0]]; // rows not summing to 1; a zero probability
  const cce = (yr: number[], pr: number[]) => {
    const s = pr.reduce((a, b) => a + b, 0);
    return -yr.reduce((acc, t, j) => acc + t * Math.log(clip(pr[j] / s)), 0);
  };
  close(vals(L.categoricalCrossentropy(f64(y), f64(p))), y.map((r, i) => cce(r, p[i])));
  const logits = [[1, 2, 0.5], [0, -1, 3]];
  const lsm = (r: number[]) => {
    const m = Math.log(r.reduce((a, x) => a + Math.exp(x), 0));
    return r.map((x) => x - m);
  };
  const byLogits = y.map((r, i) => -r.reduce((acc, t, j) => acc + t * lsm(logits[i])[j], 0));
  close(vals(new L.CategoricalCrossentropy({ fromLogits: true, reduction: "none" })(f64(y), f64(logits))), byLogits, 1e-10);
  const s = 0.1;
  const ys = y.map((r) => r.map((t) => t * (1 - s) + s / 3));
  close(vals(L.categoricalCrossentropy(f64(y), f64(logits), { fromLogits: true, labelSmoothing: s })), ys.map((r, i) => -r.reduce((acc, t, j) => acc + t * lsm(logits[i])[j], 0)), 1e-10);
  assert.throws(() => L.categoricalCrossentropy(f64([1, 0]), f64(p)), /labels must be one-hot/);
});

test("sparse categorical cross-entropy: integer labels [batch] or [batch, 1]; logits; range checked", () => {
  const p = [[0.2, 0.7, 0.1], [0.05, 0.05, 0.9]];
  const labels = [1, 2];
  const ref = labels.map((k, i) => -Math.log(clip(p[i][k]) / p[i].map(clip).reduce((a, b) => a + b, 0)));
  close(vals(L.sparseCategoricalCrossentropy(tf.constant(labels, tf.int32), f64(p))), ref, 1e-10);
  close(vals(L.sparseCategoricalCrossentropy(tf.constant([[1], [2]]), f64(p))), ref, 1e-10);
  close([new L.SparseCategoricalCrossentropy({ fromLogits: true })(tf.constant(labels, tf.int32), f64(p)).item()], [mean(labels.map((k, i) => -(p[i][k] - Math.log(p[i].reduce((a, x) => a + Math.exp(x), 0)))))], 1e-10);
  assert.throws(() => L.sparseCategoricalCrossentropy(tf.constant([3, 0], tf.int32), f64(p)), /label value of 3 which is outside the valid range of \[0, 3\)/);
});

test("losses by name: snake_case, camelCase, short and class names; unknown names list the known ones", () => {
  const t = f64([[1, 2]]);
  const p = f64([[2, 4]]);
  for (const name of ["mean_absolute_error", "mae", "MAE", "meanAbsoluteError", "MeanAbsoluteError"]) {
    const loss = L.getLoss(name);
    close([loss(t, p).item()], [1.5], 0, name);
    assert.equal(loss.name, name === "mae" || name === "MAE" ? "mae" : "mean_absolute_error");
  }
  close([L.getLoss("mse")(t, p).item()], [2.5]);
  close([L.getLoss(L.meanSquaredError)(t, p).item()], [2.5]);
  assert.throws(
    () => L.getLoss("mean_cubic_error"),
    (e: unknown) => e instanceof ValueError && /Unknown loss function: 'mean_cubic_error'/.test((e as Error).message) && /mean_absolute_error/.test((e as Error).message) && /sparse_categorical_crossentropy/.test((e as Error).message),
  );
});

test("gradients flow through Keras losses on a tape", () => {
  const w = new tf.Variable(f64([[0.5]]));
  const x = f64([[1], [2]]);
  const y = f64([1, 3]);
  const tape = new tf.GradientTape();
  const loss = tape.record(() => new L.MeanSquaredError()(y, tf.matmul(x, w)));
  // d/dw mean((x·w − y)²) = mean(2·(x·w − y)·x)
  close(vals(tape.gradient(loss, w)), [(2 * (0.5 - 1) * 1 + 2 * (1 - 3) * 2) / 2]);
});

test("metrics: accuracy variants and running means", () => {
  const M = tf.keras.metrics;
  close(vals(M.binaryAccuracy(f64([[1], [0], [1]]), f64([[0.8], [0.6], [0.4]]))), [1, 0, 0]);
  close(vals(M.categoricalAccuracy(f64([[0, 1], [1, 0]]), f64([[0.3, 0.7], [0.2, 0.8]]))), [1, 0]);
  close(vals(M.sparseCategoricalAccuracy(tf.constant([[1], [0]]), f64([[0.3, 0.7], [0.2, 0.8]]))), [1, 0]);
  const m = new M.MeanAbsoluteError();
  m.updateState(f64([1, 2]), f64([2, 2]));
  m.updateState(f64([[0, 0]]), f64([[3, 3]]));
  close([m.result().item()], [(0.5 + 3) / 2], 1e-6, "the mean of per-sample values");
  m.resetState();
  assert.equal(m.result().item(), 0);
  const acc = new M.SparseCategoricalAccuracy();
  close([acc(tf.constant([0, 1, 1]), f64([[0.9, 0.1], [0.4, 0.6], [0.8, 0.2]])).item()], [2 / 3], 1e-6);
});
