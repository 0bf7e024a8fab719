// The benchmark workloads in duograd, on the backend named by argv[2] ("wasm" or "js").
// Run by bench/run.ts in a process of its own.
import * as dg from "../../src/index.js";
import { torch, tf } from "../../src/index.js";
import { W4_SIZES, W4_VARIANTS, articleData, emit, gflops, guarded, labelsData, measure, skip, uniformData, type Row } from "../measure.js";

const backend = process.argv[2] ?? "wasm";
dg.setBackend(backend);
// The parent may name the column (the wasm backend run again under an engine flag).
const lib = process.argv[4] ?? `duograd-${backend}`;
const only = process.argv[3] ? new Set(process.argv[3].split(",")) : null;
const want = (w: string) => only === null || only.has(w);
const row = (id: string, m: Omit<Row, "id" | "lib">, note?: string) => emit({ id, lib, ...m, ...(note ? { note } : {}) });

const { x, y } = articleData();
const lr = 0.01;

async function w1(): Promise<void> {
  // The article's raw loop: x @ w + b, mean squared error, backward, update under noGrad.
  const inputs = torch.tensor(x).reshape(-1, 1);
  const labels = torch.tensor(y).reshape(-1, 1);
  const w = torch.tensor([[0.05]], { requiresGrad: true });
  const b = torch.tensor([0.02], { requiresGrad: true });
  const step = () => {
    const loss = torch.mean(torch.square(inputs.matmul(w).add(b).sub(labels)));
    loss.backward();
    torch.noGrad(() => {
      w.sub_(w.grad!.mul(lr));
      b.sub_(b.grad!.mul(lr));
      w.grad!.zero_();
      b.grad!.zero_();
    });
  };
  row("W1 article raw loop, per step", await measure(step));
}

async function w2(): Promise<void> {
  const inputs = torch.tensor(x).reshape(-1, 1);
  const labels = torch.tensor(y).reshape(-1, 1);
  const model = new torch.nn.Linear(1, 1);
  const criterion = new torch.nn.MSELoss({ reduction: "mean" });
  const opt = new torch.optim.SGD(model.parameters(), { lr });
  const step = () => {
    const loss = criterion(model(inputs), labels);
    opt.zeroGrad();
    loss.backward();
    opt.step();
  };
  row("W2 Linear(1,1) + MSELoss + SGD, per step", await measure(step));
}

async function w3(): Promise<void> {
  const a = torch.tensor([1.5]);
  const b = torch.tensor([2.5]);
  const ns = { scale: (s: number) => s * 1e9, unit: "ns" };
  row("W3 1-element add, no grad", await measure(() => a.add(b), ns));
  const ag = torch.tensor([1.5], { requiresGrad: true });
  row("W3 1-element add, recorded for grad", await measure(() => ag.add(b), ns));
}

async function w4(): Promise<void> {
  for (const threads of [1, 2]) {
    for (const n of W4_SIZES) {
      for (const v of W4_VARIANTS) {
        const id = `W4 matmul ${n}, ${v}, ${threads} thread${threads > 1 ? "s" : ""}`;
        if (backend === "js" && (threads > 1 || n > 256)) {
          skip(id, lib, threads > 1 ? "the JS backend has no threads" : "the JS backend takes seconds per product here");
          continue;
        }
        dg.setNumThreads(threads);
        const a = torch.tensor(uniformData(n * n, 1)).reshape(n, n);
        const b = torch.tensor(uniformData(n * n, 2)).reshape(n, n);
        const f = v === "A·B" ? () => dg.matmul(a, b) : v === "Aᵀ·B" ? () => dg.matmulT(a, b, true, false) : () => dg.matmulT(a, b, false, true);
        row(id, await measure(f, { scale: gflops(n), unit: "GFLOP/s", budget: 0.4 }));
      }
    }
  }
  dg.setNumThreads(2);
}

async function w5(): Promise<void> {
  const xb = torch.tensor(uniformData(128 * 784, 3)).reshape(128, 784);
  const yb = torch.tensor(labelsData(128, 10));
  for (const [name, threads] of [["SGD", 2], ["Adam", 2], ["SGD", 1]] as const) {
    dg.setNumThreads(threads);
    torch.manualSeed(0);
    const model = new torch.nn.Sequential(new torch.nn.Linear(784, 256), new torch.nn.ReLU(), new torch.nn.Linear(256, 10));
    const criterion = new torch.nn.CrossEntropyLoss();
    const opt = name === "SGD" ? new torch.optim.SGD(model.parameters(), { lr }) : new torch.optim.Adam(model.parameters(), { lr: 1e-3 });
    const step = () => {
      opt.zeroGrad();
      const loss = criterion(model(xb), yb);
      loss.backward();
      opt.step();
    };
    const id = `W5 MLP 784-256-10 b128, ${name} step${threads === 1 ? ", 1 thread" : ""}`;
    row(id, await measure(step, { scale: (s) => s * 1e3, unit: "ms", budget: 1 }), backend === "wasm" ? `${threads} thread${threads > 1 ? "s" : ""}` : undefined);
  }
  dg.setNumThreads(2);
}

async function w6(): Promise<void> {
  const n = 1 << 20;
  const a = torch.tensor(uniformData(n, 4));
  const b = torch.tensor(uniformData(n, 5));
  const c = torch.tensor(uniformData(n, 6));
  row("W6 a*b + c, 1M float32", await measure(() => a.mul(b).add(c)));
}

async function w7(): Promise<void> {
  class LinearRegressionKeras extends tf.keras.Model {
    linear = new tf.keras.layers.Dense(1, { activation: null });
    override call(t: dg.Tensor) {
      return this.linear(t);
    }
  }
  const xt = tf.constant(x);
  const yt = tf.constant(y);
  const model = new LinearRegressionKeras();
  model.compile({ optimizer: new tf.keras.optimizers.SGD({ learningRate: lr }), loss: tf.keras.losses.meanAbsoluteError });
  const epochs = 5;
  const fit = () => model.fit(xt, yt, { epochs, batchSize: 32, verbose: 0 });
  row("W7 Keras fit, Dense(1), 200 points, batch 32, per epoch", await measure(fit, { scale: (s) => (s / epochs) * 1e3, unit: "ms", budget: 1 }));
}

const workloads: [string, () => Promise<void>][] = [["W1", w1], ["W2", w2], ["W3", w3], ["W4", w4], ["W5", w5], ["W6", w6], ["W7", w7]];
for (const [name, fn] of workloads) if (want(name)) await guarded(name, lib, fn);
