// The benchmark workloads in TensorFlow.js 4.22 on the backend named by argv[2] ("cpu" or
// "wasm"), written as a TF.js user would: tf.tidy around each step, dispose what it returns.
// Run by bench/run.ts in a process of its own.
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { W4_SIZES, W4_VARIANTS, articleData, emit, gflops, guarded, labelsData, measure, skip, uniformData, type Row } from "../measure.js";

const backend = process.argv[2] ?? "wasm";
const lib = `tfjs-${backend}`;
const only = process.argv[3] ? new Set(process.argv[3].split(",")) : null;
const want = (w: string) => only === null || only.has(w);
const row = (id: string, m: Omit<Row, "id" | "lib">, note?: string) => emit({ id, lib, ...m, ...(note ? { note } : {}) });

if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend ${backend} did not initialise`);
await tf.ready();

const { x, y } = articleData();
const lr = 0.01;

async function w1(): Promise<void> {
  const inputs = tf.tensor2d(x, [200, 1]);
  const labels = tf.tensor2d(y, [200, 1]);
  const w = tf.variable(tf.tensor2d([[0.05]]));
  const b = tf.variable(tf.tensor1d([0.02]));
  const step = () =>
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => tf.mean(tf.square(tf.matMul(inputs, w).add(b).sub(labels))) as tf.Scalar, [w, b]);
      w.assign(w.sub(grads[w.name].mul(lr)));
      b.assign(b.sub(grads[b.name].mul(lr)));
    });
  row("W1 article raw loop, per step", await measure(step));
}

async function w2(): Promise<void> {
  const inputs = tf.tensor2d(x, [200, 1]);
  const labels = tf.tensor2d(y, [200, 1]);
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
  const opt = tf.train.sgd(lr);
  const step = () =>
    tf.tidy(() => {
      opt.minimize(() => tf.losses.meanSquaredError(labels, model.apply(inputs) as tf.Tensor) as tf.Scalar);
    });
  row("W2 Linear(1,1) + MSELoss + SGD, per step", await measure(step), "Dense(1) + meanSquaredError + sgd.minimize");
}

async function w3(): Promise<void> {
  const a = tf.tensor1d([1.5]);
  const b = tf.tensor1d([2.5]);
  row("W3 1-element add, no grad", await measure(() => tf.add(a, b).dispose(), { scale: (s) => s * 1e9, unit: "ns" }), "includes dispose()");
  skip("W3 1-element add, recorded for grad", lib, "TF.js records gradients only inside tf.grad/variableGrads, not per op");
}

async function w4(): Promise<void> {
  for (const threads of [1, 2]) {
    for (const n of W4_SIZES) {
      for (const v of W4_VARIANTS) {
        const id = `W4 matmul ${n}, ${v}, ${threads} thread${threads > 1 ? "s" : ""}`;
        if (threads > 1) {
          skip(id, lib, backend === "wasm" ? "TF.js wasm threads need its threaded build, which Node does not load" : "the cpu backend has no threads");
          continue;
        }
        if (backend === "cpu" && n > 512) {
          skip(id, lib, "about 2 s per product");
          continue;
        }
        const a = tf.tensor2d(uniformData(n * n, 1), [n, n]);
        const b = tf.tensor2d(uniformData(n * n, 2), [n, n]);
        const ta = v === "Aᵀ·B";
        const tb = v === "A·Bᵀ";
        const f = () => tf.matMul(a, b, ta, tb).dispose();
        row(id, await measure(f, { scale: gflops(n), unit: "GFLOP/s", budget: 0.4 }));
        a.dispose();
        b.dispose();
      }
    }
  }
}

async function w5(): Promise<void> {
  const xb = tf.tensor2d(uniformData(128 * 784, 3), [128, 784]);
  const yb = tf.oneHot(tf.tensor1d(labelsData(128, 10), "int32"), 10);
  for (const name of ["SGD", "Adam"]) {
    const model = tf.sequential({
      layers: [tf.layers.dense({ units: 256, activation: "relu", inputShape: [784] }), tf.layers.dense({ units: 10 })],
    });
    const opt = name === "SGD" ? tf.train.sgd(lr) : tf.train.adam(1e-3);
    const step = () =>
      tf.tidy(() => {
        opt.minimize(() => tf.losses.softmaxCrossEntropy(yb, model.apply(xb) as tf.Tensor) as tf.Scalar);
      });
    row(`W5 MLP 784-256-10 b128, ${name} step`, await measure(step, { scale: (s) => s * 1e3, unit: "ms", budget: 1, samples: 5 }));
  }
}

async function w6(): Promise<void> {
  const n = 1 << 20;
  const a = tf.tensor1d(uniformData(n, 4));
  const b = tf.tensor1d(uniformData(n, 5));
  const c = tf.tensor1d(uniformData(n, 6));
  row("W6 a*b + c, 1M float32", await measure(() => tf.tidy(() => a.mul(b).add(c)).dispose()));
}

async function w7(): Promise<void> {
  const xt = tf.tensor2d(x, [200, 1]);
  const yt = tf.tensor2d(y, [200, 1]);
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
  model.compile({ optimizer: tf.train.sgd(lr), loss: "meanAbsoluteError" });
  const epochs = 5;
  const fit = () => model.fit(xt, yt, { epochs, batchSize: 32, verbose: 0 });
  row("W7 Keras fit, Dense(1), 200 points, batch 32, per epoch", await measure(fit, { scale: (s) => (s / epochs) * 1e3, unit: "ms", budget: 1 }), "tf.sequential (TF.js has no subclassed models)");
}

const workloads: [string, () => Promise<void>][] = [["W1", w1], ["W2", w2], ["W3", w3], ["W4", w4], ["W5", w5], ["W6", w6], ["W7", w7]];
for (const [name, fn] of workloads) if (want(name)) await guarded(name, lib, fn);
