// Keras saving: saveWeights/loadWeights under Keras variable paths, model.save/loadModel for
// Sequential and functional models (architecture + weights), and the errors for files that do
// not fit, which leave the model unchanged.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { io, tf, ValueError } from "../src/index.js";

const K = tf.keras;
const L = tf.keras.layers;
type T = tf.Tensor;

function withTmp(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "duograd-keras-"));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const snapshot = (m: tf.keras.Model) => m.getWeights().map((w) => w.tolist());

/** Changes every weight (as training would), so a round trip has something to carry. */
function perturb(m: tf.keras.Model, seed: number): void {
  tf.random.setSeed(seed);
  for (const w of m.weights) w.assign(tf.random.normal(w.shape as number[]).mul(0.5).add(w.name.includes("variance") ? 1 : 0).abs());
}

function mlp(): tf.keras.Sequential {
  return new K.Sequential([
    new L.Dense(8, { activation: "relu", inputShape: [4] }),
    new L.BatchNormalization(),
    new L.Dropout(0.3),
    new L.Dense(3, { activation: "softmax" }),
  ]);
}

function close(a: T, b: T, tol = 1e-6): void {
  assert.deepEqual(a.shape, b.shape);
  const d = a.sub(b).abs().max().item();
  assert.ok(d <= tol, `max |diff| ${d}`);
}

test("weight paths follow the model's structure (class names numbered per parent), not global layer names", () => {
  const m = mlp();
  assert.deepEqual(io.weightPaths(m).map(([p]) => p), [
    "dense/kernel", "dense/bias",
    "batch_normalization/gamma", "batch_normalization/beta", "batch_normalization/moving_mean", "batch_normalization/moving_variance",
    "dense_1/kernel", "dense_1/bias",
  ]);
  // A second instance has other layer names (dense_2, …) but the same paths.
  const other = mlp();
  assert.notEqual(other.layers[0].name, m.layers[0].name);
  assert.deepEqual(io.weightPaths(other).map(([p]) => p), io.weightPaths(m).map(([p]) => p));
});

test("saveWeights → loadWeights into a fresh model: same weights, same predictions", () => {
  withTmp((dir) => {
    const m = mlp();
    perturb(m, 1);
    const path = join(dir, "mlp.weights.safetensors");
    m.saveWeights(path);
    const fresh = mlp();
    fresh.loadWeights(path);
    assert.deepEqual(snapshot(fresh), snapshot(m));
    const x = tf.random.normal([6, 4]);
    close(fresh.predict(x) as T, m.predict(x) as T, 0);
  });
});

test("subclassed models save and load weights too (paths from their fields' layers)", () => {
  class Regressor extends K.Model {
    hidden = new L.Dense(5, { activation: "tanh" });
    out = new L.Dense(1);
    call(x: T) {
      return this.out(this.hidden(x));
    }
  }
  const m = new Regressor();
  m.build([null, 3]);
  perturb(m, 2);
  const bytes = io.kerasWeightsToBytes(m);
  assert.deepEqual(Object.keys(io.safetensors.deserialize(bytes).tensors).sort(), ["dense/bias", "dense/kernel", "dense_1/bias", "dense_1/kernel"]);
  const fresh = new Regressor();
  fresh.build([null, 3]);
  fresh.loadWeights(bytes);
  assert.deepEqual(snapshot(fresh), snapshot(m));
  // Not built yet: nothing to load into.
  assert.throws(() => new Regressor().loadWeights(bytes), /has no weights yet: build it first/);
});

test("loadWeights that do not fit: missing, unexpected and mis-shaped weights named, the model unchanged", () => {
  const m = mlp();
  const before = snapshot(m);
  const wider = new K.Sequential([new L.Dense(9, { activation: "relu", inputShape: [4] }), new L.BatchNormalization(), new L.Dropout(0.3), new L.Dense(3)]);
  assert.throws(
    () => m.loadWeights(io.kerasWeightsToBytes(wider)),
    (e: Error) => e instanceof ValueError && /weight 'dense\/kernel' has shape \[4, 8\] in the model but \[4, 9\] in the file/.test(e.message),
  );
  const smaller = new K.Sequential([new L.Dense(8, { inputShape: [4] }), new L.Dense(3)]);
  assert.throws(() => m.loadWeights(io.kerasWeightsToBytes(smaller)), /missing weight\(s\): 'batch_normalization\/gamma', 'batch_normalization\/beta', 'batch_normalization\/moving_mean'/);
  const bigger = mlp();
  bigger.add(new L.Dense(2));
  assert.throws(() => m.loadWeights(io.kerasWeightsToBytes(bigger)), /unexpected weight\(s\) in the file: 'dense_2\/bias', 'dense_2\/kernel'/);
  assert.throws(() => m.loadWeights(new Uint8Array([1, 2, 3])), /safetensors: the file is truncated/);
  assert.deepEqual(snapshot(m), before);
});

test("model.save / tf.keras.models.loadModel: a Sequential CNN comes back with its architecture and weights", () => {
  withTmp((dir) => {
    const m = new K.Sequential([
      new L.Conv2D(4, 3, { padding: "same", activation: "relu", inputShape: [8, 8, 2] }),
      new L.BatchNormalization(),
      new L.MaxPooling2D(2),
      new L.Conv2D(3, [2, 2], { strides: 2, padding: "valid" }),
      new L.AveragePooling2D(1),
      new L.Flatten(),
      new L.Dropout(0.25),
      new L.Dense(5, { activation: "elu", useBias: false }),
      new L.Reshape([5, 1]),
      new L.LayerNormalization({ axis: [1, 2] }),
      new L.Flatten(),
      new L.Activation("sigmoid"),
    ]);
    perturb(m, 3);
    m.layers[1].trainable = false;
    const path = join(dir, "cnn.safetensors");
    m.save(path);
    const back = K.models.loadModel(path);
    assert.ok(back instanceof K.Sequential);
    assert.deepEqual(back.layers.map((l) => l.constructor.name), m.layers.map((l) => l.constructor.name));
    assert.deepEqual(back.layers.map((l) => l.name), m.layers.map((l) => l.name));
    assert.equal(back.layers[1].trainable, false, "frozen layers stay frozen");
    assert.equal(back.layers[0].trainable, true);
    const c0 = back.layers[0] as InstanceType<typeof L.Conv2D>;
    assert.deepEqual([c0.filters, c0.kernelSize, c0.padding, c0.strides], [4, [3, 3], "same", [1, 1]]);
    assert.deepEqual(snapshot(back), snapshot(m));
    const x = tf.random.normal([3, 8, 8, 2]);
    close(back.predict(x) as T, m.predict(x) as T, 0);
  });
});

test("model.save / loadModel: a functional model with two inputs, two outputs and a shared layer", () => {
  const a = K.Input({ shape: [4], name: "a" });
  const b = K.Input({ shape: [2], name: "b" });
  const h1 = new L.Dense(3, { activation: "tanh" })(a);
  const h2 = new L.Dense(3)(b);
  const shared = new L.Dense(2, { activation: "gelu" });
  const m = new K.Model({ inputs: [a, b], outputs: [shared(h1), shared(h2)], name: "two_heads" });
  perturb(m, 4);
  const back = io.loadModelBytes(io.saveModelBytes(m));
  assert.equal(back.name, "two_heads");
  assert.equal(back.inputs!.length, 2);
  assert.equal(back.outputs!.length, 2);
  assert.deepEqual(snapshot(back), snapshot(m));
  const xa = tf.random.normal([5, 4]);
  const xb = tf.random.normal([5, 2]);
  const [p1, p2] = m.predict([xa, xb]) as T[];
  const [q1, q2] = back.predict([xa, xb]) as T[];
  close(q1, p1, 0);
  close(q2, p2, 0);
});

test("a Sequential built by its first call (no input shape) saves and loads; nested Sequential too", () => {
  const inner = new K.Sequential([new L.Dense(4, { activation: "relu" })]);
  const m = new K.Sequential([inner, new L.Dense(2)]);
  const x = tf.random.normal([3, 6]);
  m.predict(x);
  const back = io.loadModelBytes(io.saveModelBytes(m));
  close(back.predict(x) as T, m.predict(x) as T, 0);
  assert.deepEqual(io.weightPaths(back).map(([p]) => p), ["sequential/dense/kernel", "sequential/dense/bias", "dense/kernel", "dense/bias"]);
});

test("model.save refuses what it cannot describe; loadModel refuses weights-only files and bad configs", () => {
  class Custom extends K.Model {
    d = new L.Dense(1);
    call(x: T) {
      return this.d(x);
    }
  }
  const c = new Custom();
  c.build([null, 2]);
  assert.throws(() => io.saveModelBytes(c), /cannot save the architecture of subclassed model .*use saveWeights and rebuild the model in code/);
  const custom = new K.Sequential([new L.Dense(2, { activation: (x: T) => x.mul(2), inputShape: [2] })]);
  assert.throws(() => io.saveModelBytes(custom), /layer 'dense_\d+' uses a custom activation function/);
  assert.throws(() => io.loadModelBytes(io.kerasWeightsToBytes(mlp())), /has no 'keras_config' in its metadata: it holds weights only/);
  const bad = io.safetensors.serialize({}, { metadata: { keras_config: JSON.stringify({ class_name: "Transformer", config: {} }) } });
  assert.throws(() => io.loadModelBytes(bad), /unknown layer class 'Transformer'/);
  const notJson = io.safetensors.serialize({}, { metadata: { keras_config: "{" } });
  assert.throws(() => io.loadModelBytes(notJson), /'keras_config' is not valid JSON/);
});
