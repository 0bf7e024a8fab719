// Keras layers and models: lazy building, Keras' weight layouts and defaults, tracking of fields,
// subclassing with build/addWeight, Sequential and functional models, summary, and each layer's
// values against loops written here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { tf, ShapeError, ValueError, Tensor } from "../src/index.js";

const { layers } = tf.keras;
const vals = (t: Tensor): number[] => Array.from(t.dataSync());
const close = (a: number[], b: number[], tol = 1e-5, msg = "") => {
  assert.equal(a.length, b.length, `${msg}: ${a.length} vs ${b.length} values`);
  a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) <= tol * (1 + Math.abs(b[i])), `${msg}[${i}]: ${x} vs ${b[i]}`));
};

test("Dense: built on the first call, kernel [inputDim, units] glorot_uniform, zeros bias, x·kernel + bias", () => {
  tf.keras.backend.clearSession();
  tf.random.setSeed(1);
  const dense = new layers.Dense(5);
  assert.equal(dense.built, false);
  assert.equal(dense.weights.length, 0);
  const x = tf.random.normal([4, 3]);
  const y = dense(x) as Tensor;
  assert.deepEqual(y.shape, [4, 5]);
  const [kernel, bias] = dense.weights;
  assert.deepEqual(kernel.shape, [3, 5]);
  assert.deepEqual(bias.shape, [5]);
  assert.equal(kernel.name, "dense/kernel:0");
  assert.equal(bias.name, "dense/bias:0");
  const limit = Math.sqrt(6 / (3 + 5));
  assert.ok(vals(kernel).every((v) => Math.abs(v) <= limit));
  assert.deepEqual(vals(bias), [0, 0, 0, 0, 0]);
  close(vals(y), vals(tf.matmul(x, kernel)));
  // Inputs with more axes: the kernel applies to the last one.
  assert.deepEqual((dense(tf.zeros([2, 4, 3])) as Tensor).shape, [2, 4, 5]);
});

test("Dense: activation by name or function, useBias, initializers by name", () => {
  const x = tf.constant([[-1, 2]]);
  const relu = new layers.Dense(2, { activation: "relu", kernelInitializer: "ones", biasInitializer: tf.keras.initializers.get("zeros") });
  close(vals(relu(x) as Tensor), [1, 1]);
  const neg = new layers.Dense(1, { activation: (t: Tensor) => t.neg(), useBias: false, kernelInitializer: "ones" });
  close(vals(neg(x) as Tensor), [-1]);
  assert.equal(neg.weights.length, 1);
  assert.throws(() => new layers.Dense(2, { activation: "swoosh" }), /Unknown activation function: 'swoosh'/);
  assert.throws(() => new layers.Dense(0), /positive integer/);
});

test("Dense called with another inner dimension than it was built with names the layer and both shapes", () => {
  tf.keras.backend.clearSession();
  const dense = new layers.Dense(1);
  dense(tf.zeros([5, 1]));
  assert.throws(
    () => dense(tf.zeros([5, 2])),
    (e: unknown) => e instanceof ShapeError && /layer "dense"/.test((e as Error).message) && /\[5, 2\]/.test((e as Error).message) && /kernel shape \[1, 1\]/.test((e as Error).message),
  );
  assert.throws(() => new layers.Dense(1)(tf.zeros([5])), /expected min_ndim=2, found ndim=1/);
});

test("kernel regularizers: losses hold l2·Σk², recomputed from the current weights", () => {
  const dense = new layers.Dense(2, { kernelRegularizer: tf.keras.regularizers.l2(0.1), biasRegularizer: "l1", kernelInitializer: "ones", biasInitializer: "ones" });
  dense(tf.zeros([1, 3]));
  const ls = dense.losses.map((l) => l.item());
  close(ls, [0.1 * 6, 0.01 * 2]);
  dense.kernel!.assign(tf.fill([3, 2], 2));
  close([dense.losses[0].item()], [0.1 * 24]);
});

class Block extends tf.keras.layers.Layer {
  scale: tf.Variable | null = null;
  seenTraining: (boolean | undefined)[] = [];
  override build(inputShape: number[]) {
    this.scale = this.addWeight({ name: "scale", shape: [inputShape[inputShape.length - 1]], initializer: "ones" });
  }
  override call(x: Tensor, kwargs?: { training?: boolean }) {
    this.seenTraining.push(kwargs?.training);
    return x.mul(this.scale!);
  }
}

class Tracked extends tf.keras.Model {
  first = new layers.Dense(2, { name: "first" });
  w = new tf.Variable(tf.ones([2]), { name: "w" });
  stack = [new layers.Dense(2, { name: "in_list" }), { nested: new Block({ name: "block" }) }];
  norm = new layers.BatchNormalization({ name: "bn" });
  frozen = new tf.Variable(tf.zeros([1]), { trainable: false, name: "frozen" });
  override call(x: Tensor) {
    let h = this.first(x) as Tensor;
    h = (this.stack[0] as tf.keras.layers.Dense)(h) as Tensor;
    h = (this.stack[1] as { nested: Block }).nested(h) as Tensor;
    return (this.norm(h) as Tensor).mul(this.w);
  }
}

test("a subclassed model tracks fields in declaration order, inside arrays and objects too", () => {
  const m = new Tracked();
  m(tf.ones([3, 4]));
  assert.deepEqual(m.layers.map((l) => l.name), ["first", "in_list", "block", "bn"]);
  assert.deepEqual(m.trainableVariables.map((v) => v.name), [
    "w:0", "first/kernel:0", "first/bias:0", "in_list/kernel:0", "in_list/bias:0", "block/scale:0", "bn/gamma:0", "bn/beta:0",
  ]);
  assert.deepEqual(m.nonTrainableVariables.map((v) => v.name), ["frozen:0", "bn/moving_mean:0", "bn/moving_variance:0"]);
  assert.equal(m.variables.length, 11);
  assert.equal(m.weights.length, 11);
  assert.equal(m.countParams(), 4 * 2 + 2 + 2 + 2 * 2 + 2 + 2 + 4 * 2 + 1);
  (m.stack[0] as tf.keras.layers.Dense).trainable = false;
  assert.ok(!m.trainableVariables.some((v) => v.name.startsWith("in_list")));
  assert.ok(m.nonTrainableVariables.some((v) => v.name === "in_list/kernel:0"));
});

test("getWeights/setWeights round-trip; a wrong count or shape changes nothing", () => {
  const m = new Tracked();
  m(tf.ones([3, 4]));
  const saved = m.getWeights();
  const k = m.first.kernel!;
  k.assign(tf.zerosLike(k));
  m.setWeights(saved);
  assert.deepEqual(vals(k), vals(saved[1]));
  assert.throws(() => m.setWeights(saved.slice(1)), /weight list of length 10, but the layer was expecting 11 weights/);
  const bad = saved.slice();
  bad[0] = tf.zeros([3]);
  k.assign(tf.zerosLike(k));
  assert.throws(() => m.setWeights(bad), /has shape \[2\], but the value given has shape \[3\]/);
  assert.deepEqual(vals(k), [0, 0, 0, 0, 0, 0, 0, 0]);
});

test("the training flag reaches nested layers (fit's true, a plain call's undefined)", () => {
  const block = new Block();
  class Outer extends tf.keras.Model {
    inner = block;
    override call(x: Tensor) {
      return this.inner(x);
    }
  }
  const m = new Outer();
  m(tf.ones([1, 2]), { training: true });
  m(tf.ones([1, 2]));
  assert.deepEqual(block.seenTraining, [true, undefined]);
});

test("Sequential with an input shape is built at once; summary prints Keras' table", () => {
  tf.keras.backend.clearSession();
  const model = new tf.keras.Sequential([new layers.Dense(16, { activation: "relu", inputShape: [4] }), new layers.Dropout(0.5), new layers.Dense(3)]);
  assert.ok(model.built);
  assert.equal(model.weights.length, 4);
  const lines: string[] = [];
  model.summary({ printFn: (l) => lines.push(l) });
  assert.deepEqual(lines, [
    'Model: "sequential"',
    "_________________________________________________________________",
    "Layer (type)                 Output Shape              Param #   ",
    "=================================================================",
    "dense (Dense)                (None, 16)                80        ",
    "_________________________________________________________________",
    "dropout (Dropout)            (None, 16)                0         ",
    "_________________________________________________________________",
    "dense_1 (Dense)              (None, 3)                 51        ",
    "=================================================================",
    "Total params: 131",
    "Trainable params: 131",
    "Non-trainable params: 0",
    "_________________________________________________________________",
  ]);
  assert.deepEqual((model.predict(tf.zeros([5, 4])) as Tensor).shape, [5, 3]);
});

test("a subclassed model's summary shows 'multiple'; an unbuilt model cannot be summarised", () => {
  tf.keras.backend.clearSession();
  class Small extends tf.keras.Model {
    linear = new layers.Dense(1);
    override call(x: Tensor) {
      return this.linear(x);
    }
  }
  const m = new Small();
  assert.throws(() => m.summary(), /This model has not yet been built/);
  m(tf.ones([2, 1]));
  const lines: string[] = [];
  m.summary({ printFn: (l) => lines.push(l) });
  assert.equal(lines[0], 'Model: "small"');
  assert.equal(lines[4], "dense (Dense)                multiple                  2         ");
  assert.equal(lines[6], "Total params: 2");
});

test("functional API: Input, layer calls, Model({ inputs, outputs })", () => {
  tf.keras.backend.clearSession();
  const inputs = tf.keras.Input({ shape: [3] });
  assert.deepEqual(inputs.shape, [null, 3]);
  const d1 = new layers.Dense(4, { activation: "tanh" });
  const d2 = new layers.Dense(2);
  const h = d1(inputs);
  const outputs = d2(h);
  assert.deepEqual(outputs.shape, [null, 2]);
  const model = new tf.keras.Model({ inputs, outputs });
  const x = tf.random.normal([5, 3]);
  close(vals(model(x) as Tensor), vals(d2(d1(x)) as Tensor));
  assert.deepEqual(model.layers.map((l) => l.constructor.name), ["InputLayer", "Dense", "Dense"]);
  assert.equal(model.trainableVariables.length, 4);
  const lines: string[] = [];
  model.summary({ printFn: (l) => lines.push(l) });
  assert.equal(lines[4], "input_1 (InputLayer)         [(None, 3)]               0         ");
  assert.equal(lines[6], "dense (Dense)                (None, 4)                 16        ");
});

/** Conv2D by loops: NHWC input, [kh, kw, cin, cout] kernel, 'valid' padding. */
function convRef(x: number[][][][], k: number[][][][], stride: number, padTop: number, padLeft: number, oh: number, ow: number): number[] {
  const out: number[] = [];
  const [n, h, w, cin] = [x.length, x[0].length, x[0][0].length, x[0][0][0].length];
  const [kh, kw, , cout] = [k.length, k[0].length, k[0][0].length, k[0][0][0].length];
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let o = 0; o < cout; o++) {
          let s = 0;
          for (let a = 0; a < kh; a++)
            for (let c = 0; c < kw; c++) {
              const r = i * stride + a - padTop;
              const q = j * stride + c - padLeft;
              if (r < 0 || r >= h || q < 0 || q >= w) continue;
              for (let ci = 0; ci < cin; ci++) s += x[b][r][q][ci] * k[a][c][ci][o];
            }
          out.push(s);
        }
  void n;
  return out;
}

test("Conv2D: channels-last, 'valid' and 'same' (extra padding after), strides; kernel [kh, kw, in, out]", () => {
  tf.random.setSeed(3);
  const x = tf.random.normal([2, 5, 6, 3]);
  const xa = x.tolist() as number[][][][];
  const conv = new layers.Conv2D(4, 3, { useBias: false });
  const y = conv(x) as Tensor;
  assert.deepEqual(conv.kernel!.shape, [3, 3, 3, 4]);
  assert.deepEqual(y.shape, [2, 3, 4, 4]);
  close(vals(y), convRef(xa, conv.kernel!.tolist() as number[][][][], 1, 0, 0, 3, 4), 1e-4, "valid");
  const same = new layers.Conv2D(2, [2, 2], { strides: 2, padding: "same", useBias: false });
  const ys = same(x) as Tensor;
  // TF 'same', stride 2: out = ceil(5/2) = 3, ceil(6/2) = 3; total padding (3−1)·2 + 2 − 5 = 1 row (after), 0 columns.
  assert.deepEqual(ys.shape, [2, 3, 3, 2]);
  close(vals(ys), convRef(xa, same.kernel!.tolist() as number[][][][], 2, 0, 0, 3, 3), 1e-4, "same");
  const same3 = new layers.Conv2D(1, 3, { padding: "same", activation: "relu" });
  assert.deepEqual((same3(x) as Tensor).shape, [2, 5, 6, 1]);
  assert.throws(() => conv(tf.zeros([1, 5, 6, 2])), /expected axis -1 of input shape to have value 3/);
});

test("pooling: MaxPooling2D, AveragePooling2D ('same' averages the taps inside), GlobalAveragePooling2D", () => {
  const img = [[1, 2, 3], [4, 5, 6], [7, 8, 9]];
  const x = tf.reshape(tf.constant(img), [1, 3, 3, 1]);
  close(vals(new layers.MaxPooling2D(2)(x) as Tensor), [5]);
  close(vals(new layers.MaxPooling2D(2, { strides: 1 })(x) as Tensor), [5, 6, 8, 9]);
  const avgSame = new layers.AveragePooling2D(2, { padding: "same" })(x) as Tensor;
  assert.deepEqual(avgSame.shape, [1, 2, 2, 1]);
  close(vals(avgSame), [3, 4.5, 7.5, 9]);
  close(vals(new layers.MaxPooling2D(2, { padding: "same" })(x) as Tensor), [5, 6, 8, 9]);
  const g = new layers.GlobalAveragePooling2D()(tf.reshape(tf.range(8, undefined, 1, tf.float32), [1, 2, 2, 2])) as Tensor;
  assert.deepEqual(g.shape, [1, 2]);
  close(vals(g), [3, 4]);
  assert.deepEqual((new layers.Flatten()(tf.zeros([2, 3, 4])) as Tensor).shape, [2, 12]);
});

test("BatchNormalization: batch statistics and moving averages (momentum 0.99) in training, moving ones otherwise", () => {
  const data = [[1, 10], [3, 20], [5, 60]];
  const x = tf.constant(data);
  const bn = new layers.BatchNormalization();
  const y = bn(x, { training: true }) as Tensor;
  const col = (j: number) => data.map((r) => r[j]);
  const mu = [0, 1].map((j) => col(j).reduce((a, b) => a + b) / 3);
  const varB = [0, 1].map((j) => col(j).reduce((a, v) => a + (v - mu[j]) ** 2, 0) / 3);
  close(vals(y), data.flatMap((r) => r.map((v, j) => (v - mu[j]) / Math.sqrt(varB[j] + 1e-3))), 1e-5, "normalized with the biased variance");
  close(vals(bn.movingMean!), mu.map((m) => 0.01 * m), 1e-6, "moving mean");
  close(vals(bn.movingVariance!), varB.map((v) => 0.99 + 0.01 * v), 1e-6, "moving variance (biased for 2-D inputs)");
  const yi = bn(x) as Tensor;
  const mm = vals(bn.movingMean!);
  const mv = vals(bn.movingVariance!);
  close(vals(yi), data.flatMap((r) => r.map((v, j) => (v - mm[j]) / Math.sqrt(mv[j] + 1e-3))), 1e-5, "inference");
  assert.deepEqual(bn.trainableWeights.map((w) => w.name.split("/")[1]), ["gamma:0", "beta:0"]);
  // 4-D channels-last inputs go through TF's fused kernel: the moving variance gets the unbiased variance.
  const img = tf.reshape(tf.constant([1, 2, 3, 4, 5, 6, 7, 8]), [2, 2, 2, 1]);
  const bn4 = new layers.BatchNormalization({ momentum: 0 });
  bn4(img, { training: true });
  close(vals(bn4.movingVariance!), [42 / 7], 1e-6);
});

test("LayerNormalization, Embedding, Dropout, Activation", () => {
  const x = tf.constant([[1, 2, 3, 6]]);
  const ln = new layers.LayerNormalization();
  const m = 3;
  const v = (4 + 1 + 0 + 9) / 4;
  close(vals(ln(x) as Tensor), [1, 2, 3, 6].map((e) => (e - m) / Math.sqrt(v + 1e-3)));
  assert.deepEqual(ln.weights.map((w) => w.shape), [[4], [4]]);

  const emb = new layers.Embedding(10, 3);
  const out = emb(tf.constant([[1, 2], [9, 1]], tf.int32)) as Tensor;
  assert.deepEqual(out.shape, [2, 2, 3]);
  const table = emb.embeddings!.tolist() as number[][];
  close(vals(out), [...table[1], ...table[2], ...table[9], ...table[1]]);
  assert.ok(table.flat().every((e) => Math.abs(e) <= 0.05), "uniform(−0.05, 0.05) by default");
  assert.throws(() => emb(tf.constant([10], tf.int32)), /out of range/);

  tf.random.setSeed(5);
  const drop = new layers.Dropout(0.5);
  const ones = tf.ones([1000]);
  assert.deepEqual(vals(drop(ones) as Tensor), vals(ones), "identity outside training");
  const kept = vals(drop(ones, { training: true }) as Tensor);
  assert.ok(kept.every((e) => e === 0 || e === 2));
  const frac = kept.filter((e) => e === 2).length / 1000;
  assert.ok(frac > 0.4 && frac < 0.6);
  assert.throws(() => new layers.Dropout(1.5), ValueError);
  close(vals(new layers.Activation("sigmoid")(tf.constant([0])) as Tensor), [0.5]);
});

test("a custom layer with build/addWeight; a custom loss added in call joins model.losses", () => {
  class Penalized extends tf.keras.layers.Layer {
    override call(x: Tensor) {
      this.addLoss(tf.reduceSum(tf.abs(x)).mul(0.5));
      return x;
    }
  }
  class M extends tf.keras.Model {
    b = new Block();
    p = new Penalized();
    override call(x: Tensor) {
      return this.p(this.b(x));
    }
  }
  const m = new M();
  m(tf.constant([[1, -2]]));
  close(m.losses.map((l) => l.item()), [1.5]);
  m(tf.constant([[1, 1]]));
  close(m.losses.map((l) => l.item()), [1], 0, "losses from the last call only");
  assert.deepEqual(m.trainableVariables.map((v) => v.shape), [[2]]);
});
