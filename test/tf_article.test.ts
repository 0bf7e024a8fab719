// The article's TensorFlow programs (2, 5a, 5b), as examples/tf_*.ts run them, against the
// least-squares line of their data and PyTorch's run of the same raw program.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { tf, RandomState, Tensor } from "../src/index.js";

const fixture = JSON.parse(fs.readFileSync(new URL("../../test/fixtures/article_torch.json", import.meta.url), "utf8")) as {
  raw: { final_w: number[]; final_b: number[] };
};

// The article's generate_data with NumPy's legacy generator (np.random.seed(0)).
function generateData(): { x: Float32Array; y: Float32Array } {
  const rng = new RandomState(0);
  const x = rng.uniform(-10, 10, 200) as Float64Array;
  const noise = rng.normal(0, 0.15, 200) as Float64Array;
  return { x: Float32Array.from(x), y: Float32Array.from(x.map((v, i) => 0.1 * v + 0.3 + noise[i])) };
}

// Ordinary least squares in float64: the line every program approaches.
function leastSquares(x: Float32Array, y: Float32Array): { w: number; b: number } {
  const n = x.length;
  const mx = x.reduce((a, v) => a + v, 0) / n;
  const my = y.reduce((a, v) => a + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
  }
  return { w: sxy / sxx, b: my - (sxy / sxx) * mx };
}

const { x, y } = generateData();
const ls = leastSquares(x, y);
const xT = tf.constant(x);
const yT = tf.constant(y);
const learningRate = 0.01;
const epochs = 100;

class RawModel extends tf.keras.Model {
  w = new tf.Variable(tf.random.uniform([1], -0.1, 0.1));
  b = new tf.Variable(tf.random.uniform([1], -0.1, 0.1));
  override call(x: Tensor) {
    return x.mul(this.w).add(this.b);
  }
}

class DenseModel extends tf.keras.Model {
  linear = new tf.keras.layers.Dense(1, { activation: null });
  override call(x: Tensor) {
    return this.linear(x);
  }
}

test("program 2 (raw variables + GradientTape, 100 epochs): w reaches the least-squares slope, b is on its way", () => {
  tf.random.setSeed(0);
  const tfModel = new RawModel();
  const [w, b] = tfModel.trainableVariables;
  const squaredError = (yPred: Tensor, yTrue: Tensor) => tf.reduceMean(tf.square(yPred.sub(yTrue)));
  const losses: number[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    const tape = new tf.GradientTape();
    const loss = tape.record(() => squaredError(tfModel(xT), yT));
    const [wGrad, bGrad] = tape.gradient(loss, tfModel.trainableVariables);
    w.assign(w.sub(wGrad.mul(learningRate)));
    b.assign(b.sub(bGrad.mul(learningRate)));
    losses.push(loss.item());
  }
  assert.ok(Math.abs(w.item() - ls.w) < 1e-3, `w ${w.item()} vs ${ls.w}`);
  // As in PyTorch's run of the same program (b = 0.2527 against 0.2832): b has not arrived yet.
  assert.ok(ls.b - b.item() > 0.02, `b ${b.item()} still below ${ls.b}`);
  assert.ok(Math.abs(b.item() - fixture.raw.final_b[0]) < 0.02, `b ${b.item()} near PyTorch's ${fixture.raw.final_b[0]}`);
  assert.ok(Math.abs(w.item() - fixture.raw.final_w[0]) < 1e-3);
  assert.ok(losses[99] < losses[0]);
});

test("program 5(b) (Dense + SGD + tf.losses.mse, 300 epochs) reaches the least-squares line", () => {
  tf.random.setSeed(0);
  const model = new DenseModel();
  const optimizer = new tf.keras.optimizers.SGD({ learningRate });
  for (let epoch = 0; epoch < epochs * 3; epoch++) {
    const xBatch = tf.reshape(xT, [200, 1]);
    const tape = new tf.GradientTape();
    const loss = tape.record(() => {
      let yPred = model(xBatch);
      yPred = tf.reshape(yPred, [200]);
      return tf.losses.mse(yPred, yT);
    });
    const grads = tape.gradient(loss, model.variables);
    optimizer.applyGradients(tf.zip(grads, model.variables));
  }
  const [kernel, bias] = model.trainableVariables;
  assert.deepEqual(kernel.shape, [1, 1]);
  assert.ok(Math.abs(kernel.item() - ls.w) < 1e-3, `w ${kernel.item()} vs ${ls.w}`);
  assert.ok(Math.abs(bias.item() - ls.b) < 1e-2, `b ${bias.item()} vs ${ls.b}`);
});

test("program 5(a) (Dense + compile/fit with mean absolute error, batches of 32): the loss falls", async () => {
  tf.random.setSeed(0);
  const model = new DenseModel();
  model.compile({ optimizer: new tf.keras.optimizers.SGD({ learningRate }), loss: tf.keras.losses.meanAbsoluteError });
  const history = await model.fit(xT, yT, { epochs, batchSize: 32, verbose: 0 });
  const loss = history.history.loss;
  assert.equal(loss.length, epochs);
  assert.ok(loss[epochs - 1] < loss[0] / 2, `${loss[0]} -> ${loss[epochs - 1]}`);
  assert.ok(loss[epochs - 1] < 0.2);
  const [kernel] = model.trainableVariables;
  assert.ok(Math.abs(kernel.item() - ls.w) < 0.05, "the slope is close to the data's");
});
