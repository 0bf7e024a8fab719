// The article's two PyTorch programs (ARTICLE.md programs 3 and 5c), written with the torch dialect
// as the article writes them, against PyTorch 1.13's numbers (test/fixtures/article_torch.json).
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { torch, RandomState, setWarningHandler } from "../src/index.js";

interface Run {
  seed: number;
  log_every_20: [number, number][];
  final_w: number[];
  final_b: number[];
}
const oracle = JSON.parse(fs.readFileSync(new URL("../../test/fixtures/article_torch.json", import.meta.url), "utf8")) as {
  learning_rate: number;
  epochs: number;
  raw: Run & { init_w: number[]; init_b: number[] };
  layers: Run & { init_weight: number[]; init_bias: number[] };
  broadcast_pitfall: { pred_shape: number[]; labels_shape: number[]; diff_shape: number[] };
};

const close = (got: number, want: number, what: string) =>
  assert.ok(Math.abs(got - want) <= 1e-5 * Math.abs(want), `${what}: got ${got}, PyTorch ${want} (relative error ${Math.abs(got - want) / Math.abs(want)})`);

/** The article's generate_data after np.random.seed(0). */
function generateData(rng: RandomState, m = 0.1, b = 0.3, n = 200) {
  const x = rng.uniform(-10, 10, n) as Float64Array;
  const noise = rng.normal(0, 0.15, n) as Float64Array;
  const y = x.map((xi, i) => m * xi + b + noise[i]);
  return { x: Float32Array.from(x), y: Float32Array.from(y) };
}

const { x, y } = generateData(new RandomState(0));
const inputs = torch.tensor(x).reshape(-1, 1);
const labels = torch.tensor(y).reshape(-1, 1);
const learningRate = oracle.learning_rate;
const epochs = oracle.epochs;

test("program 3: raw parameters, backward() and noGrad reproduce PyTorch", () => {
  class LinearRegressionPyTorch extends torch.nn.Module {
    w = new torch.nn.Parameter(torch.empty(1, 1).uniform_(-0.1, 0.1));
    b = new torch.nn.Parameter(torch.empty(1).uniform_(-0.1, 0.1));
    forward(x: torch.Tensor) {
      return x.matmul(this.w).add(this.b);
    }
  }
  const squaredError = (yPred: torch.Tensor, yTrue: torch.Tensor) => torch.mean(torch.square(yPred.sub(yTrue)));

  torch.manualSeed(oracle.raw.seed);
  const torchModel = new LinearRegressionPyTorch();
  const [w, b] = torchModel.parameters();
  assert.equal(w.item(), oracle.raw.init_w[0]);
  assert.equal(b.item(), oracle.raw.init_b[0]);
  const logged: [number, number][] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    const yPred = torchModel(inputs);
    const loss = squaredError(yPred, labels);
    loss.backward();
    torch.noGrad(() => {
      w.sub_(w.grad!.mul(learningRate));
      b.sub_(b.grad!.mul(learningRate));
      w.grad!.zero_();
      b.grad!.zero_();
    });
    if (epoch % 20 === 0) logged.push([epoch, loss.item()]);
  }
  assert.deepEqual(logged.map(([e]) => e), oracle.raw.log_every_20.map(([e]) => e));
  logged.forEach(([e, l], i) => close(l, oracle.raw.log_every_20[i][1], `loss at epoch ${e}`));
  close(w.item(), oracle.raw.final_w[0], "final w");
  close(b.item(), oracle.raw.final_b[0], "final b");
});

test("program 5c: nn.Linear, nn.MSELoss and optim.SGD reproduce PyTorch", () => {
  class LinearRegressionPyTorch extends torch.nn.Module {
    linear = new torch.nn.Linear(1, 1);
    forward(x: torch.Tensor) {
      return this.linear(x);
    }
  }
  torch.manualSeed(oracle.layers.seed);
  const torchModel = new LinearRegressionPyTorch();
  assert.equal(torchModel.linear.weight.item(), oracle.layers.init_weight[0]);
  assert.equal(torchModel.linear.bias!.item(), oracle.layers.init_bias[0]);
  const criterion = new torch.nn.MSELoss({ reduction: "mean" });
  const optimizer = new torch.optim.SGD(torchModel.parameters(), { lr: learningRate });
  const logged: [number, number][] = [];
  for (let epoch = 0; epoch < epochs * 3; epoch++) {
    const yPred = torchModel(inputs);
    const loss = criterion(yPred, labels);
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    if (epoch % 20 === 0) logged.push([epoch, loss.item()]);
  }
  assert.deepEqual(logged.map(([e]) => e), oracle.layers.log_every_20.map(([e]) => e));
  logged.forEach(([e, l], i) => close(l, oracle.layers.log_every_20[i][1], `loss at epoch ${e}`));
  const [w, b] = torchModel.parameters();
  close(w.item(), oracle.layers.final_w[0], "final weight");
  close(b.item(), oracle.layers.final_b[0], "final bias");
});

test("the pitfall: labels of shape [200] broadcast to [200, 200] and MSELoss warns", () => {
  const p = oracle.broadcast_pitfall;
  const flat = torch.tensor(y);
  const pred = torch.zeros(200, 1);
  assert.deepEqual(pred.shape, p.pred_shape);
  assert.deepEqual(flat.shape, p.labels_shape);
  assert.deepEqual(pred.sub(flat).shape, p.diff_shape);
  const seen: string[] = [];
  const prev = setWarningHandler((m) => seen.push(m));
  try {
    new torch.nn.MSELoss()(pred, flat);
    new torch.nn.MSELoss()(pred, labels);
  } finally {
    setWarningHandler(prev);
  }
  assert.equal(seen.length, 1, "one warning, for the mismatched call only");
  assert.match(seen[0], /target size \(\[200\]\).*different to the input size \(\[200, 1\]\)/);
});
