// nn layers and loss modules: each forward equals its functional form with the layer's settings,
// and layer-specific behaviour (Bilinear's contraction, pooling options, loss buffers).
import { test } from "node:test";
import assert from "node:assert/strict";
import { torch } from "../src/index.js";

const { nn } = torch;
const F = nn.functional;
type T = torch.Tensor;

const same = (a: T, b: T, what: string, tol = 1e-6) => {
  assert.deepEqual(a.shape, b.shape, `${what}: shape`);
  const d = Array.from(a.storage).map((v, i) => Math.abs(v - b.storage[i]));
  assert.ok(d.every((v) => v <= tol), `${what}: max difference ${Math.max(...d)}`);
};

test("layers compute their functional form with their own parameters and settings", () => {
  torch.manualSeed(0);
  const x4 = torch.randn(2, 3, 8, 8);
  const conv = new nn.Conv2d(3, 4, 3, { stride: 2, padding: 1 });
  same(conv(x4), F.conv2d(x4, conv.weight, conv.bias, { stride: 2, padding: 1 }), "Conv2d");
  assert.deepEqual(new nn.Conv2d(3, 4, 3, 1)(x4).shape, [2, 4, 6, 6], "positional stride");
  const x3 = torch.randn(2, 3, 10);
  const conv1 = new nn.Conv1d(3, 5, 3, { padding: "same", dilation: 2 });
  same(conv1(x3), F.conv1d(x3, conv1.weight, conv1.bias, { padding: "same", dilation: 2 }), "Conv1d");
  same(new nn.MaxPool2d(2)(x4), F.maxPool2d(x4, 2), "MaxPool2d");
  same(new nn.MaxPool2d(3, { stride: 2, padding: 1 })(x4), F.maxPool2d(x4, 3, { stride: 2, padding: 1 }), "MaxPool2d options");
  const [vals, idx] = new nn.MaxPool2d(2, { returnIndices: true })(x4) as [T, T];
  same(vals, F.maxPool2d(x4, 2), "MaxPool2d values with indices");
  assert.equal(idx.dtype, "int32");
  same(new nn.AvgPool2d(2, 2)(x4), F.avgPool2d(x4, 2), "AvgPool2d");
  same(new nn.AdaptiveAvgPool2d([1, 1])(x4), x4.mean([2, 3], true), "AdaptiveAvgPool2d(1, 1) is the global mean");
  assert.equal(String(new nn.AdaptiveAvgPool2d([1, null])), "AdaptiveAvgPool2d(output_size=(1, None))");
  const ln = new nn.LayerNorm(8, { eps: 1e-3 });
  same(ln(x4), F.layerNorm(x4, [8], ln.weight, ln.bias, 1e-3), "LayerNorm");
  assert.deepEqual(new nn.Flatten()(x4).shape, [2, 192]);
  assert.deepEqual(new nn.Flatten(0, 1)(x4).shape, [6, 8, 8]);
  assert.equal(new nn.Identity(1, 2)(x4), x4);
  const h = torch.randn(4, 5);
  same(new nn.Softmax(1)(h).sum(1), torch.ones(4), "Softmax rows sum to 1");
  same(new nn.LogSoftmax(1)(h), F.logSoftmax(h, 1), "LogSoftmax");
  same(new nn.LeakyReLU(0.2)(h), F.leakyRelu(h, 0.2), "LeakyReLU");
  same(new nn.ELU(0.5)(h), F.elu(h, 0.5), "ELU");
  same(new nn.GELU({ approximate: "tanh" })(h), F.gelu(h, { approximate: "tanh" }), "GELU");
  same(new nn.SiLU()(h), h.mul(h.sigmoid()), "SiLU");
  same(new nn.Sigmoid()(h), h.sigmoid(), "Sigmoid");
  same(new nn.Tanh()(h), h.tanh(), "Tanh");
  same(new nn.ReLU()(h), h.clamp(0), "ReLU");
  same(new nn.Softplus({ beta: 2 })(h), F.softplus(h, { beta: 2 }), "Softplus");
  same(new nn.Hardtanh(-0.5, 0.5)(h), h.clamp(-0.5, 0.5), "Hardtanh");
  const emb = new nn.Embedding(6, 3);
  const tokens = torch.tensor([[1, 5], [0, 1]], { dtype: torch.int32 });
  same(emb(tokens), F.embedding(tokens, emb.weight), "Embedding");
  const frozen = nn.Embedding.fromPretrained(torch.eye(3));
  assert.equal(frozen.weight.requiresGrad, false);
  assert.deepEqual(frozen(torch.tensor([2], { dtype: torch.int32 })).tolist(), [[0, 0, 1]]);
});

test("Bilinear computes x1ᵀ·A·x2 + b for every output", () => {
  torch.manualSeed(2);
  const bil = new nn.Bilinear(3, 2, 4);
  const x1 = torch.randn(5, 3);
  const x2 = torch.randn(5, 2);
  const y = bil(x1, x2) as T;
  assert.deepEqual(y.shape, [5, 4]);
  const W = bil.weight.tolist() as number[][][];
  const b = bil.bias!.tolist() as number[];
  const a1 = x1.tolist() as number[][];
  const a2 = x2.tolist() as number[][];
  const want = a1.map((r1, n) => W.map((Wo, o) => Wo.reduce((s, row, i) => s + row.reduce((t, w, j) => t + r1[i] * w * a2[n][j], 0), b[o])));
  same(y, torch.tensor(want), "Bilinear", 1e-5);
  assert.throws(() => bil(x1, x1), /Bilinear\(in1_features=3, in2_features=2, out_features=4, bias=True\): expected inputs/);
  const bound = 1 / Math.sqrt(3);
  assert.ok((bil.weight.tolist() as number[][][]).flat(2).every((v) => Math.abs(v) <= bound));
});

test("loss modules call their functional form with their options; weights are buffers", () => {
  torch.manualSeed(1);
  const pred = torch.randn(6, 3);
  const target = torch.randn(6, 3);
  same(new nn.MSELoss()(pred, target), F.mseLoss(pred, target), "MSELoss");
  same(new nn.MSELoss({ reduction: "sum" })(pred, target), F.mseLoss(pred, target, { reduction: "sum" }), "MSELoss sum");
  same(new nn.L1Loss({ reduction: "none" })(pred, target), F.l1Loss(pred, target, { reduction: "none" }), "L1Loss none");
  same(new nn.HuberLoss({ delta: 0.5 })(pred, target), F.huberLoss(pred, target, { delta: 0.5 }), "HuberLoss");
  same(new nn.SmoothL1Loss({ beta: 0.5 })(pred, target), F.smoothL1Loss(pred, target, { beta: 0.5 }), "SmoothL1Loss");
  const cls = torch.tensor([0, 2, 1, 1, 0, 2], { dtype: torch.int32 });
  const w = torch.tensor([1, 2, 0.5]);
  const ce = new nn.CrossEntropyLoss({ weight: w, labelSmoothing: 0.1 });
  same(ce(pred, cls), F.crossEntropy(pred, cls, { weight: w, labelSmoothing: 0.1 }), "CrossEntropyLoss");
  assert.deepEqual(Object.keys(ce.stateDict()), ["weight"], "the class weight is a buffer, as in PyTorch");
  assert.deepEqual(Object.keys(new nn.CrossEntropyLoss().stateDict()), []);
  same(new nn.NLLLoss({ ignoreIndex: 2 })(F.logSoftmax(pred, 1), cls), F.nllLoss(F.logSoftmax(pred, 1), cls, { ignoreIndex: 2 }), "NLLLoss");
  const prob = pred.sigmoid();
  const bin = target.gt(0).float();
  same(new nn.BCELoss()(prob, bin), F.binaryCrossEntropy(prob, bin), "BCELoss");
  const pw = torch.tensor([1, 2, 3]);
  const bce = new nn.BCEWithLogitsLoss({ posWeight: pw });
  same(bce(pred, bin), F.binaryCrossEntropyWithLogits(pred, bin, { posWeight: pw }), "BCEWithLogitsLoss");
  assert.deepEqual(Object.keys(bce.stateDict()), ["posWeight"]);
  assert.equal(String(bce), "BCEWithLogitsLoss()");
  assert.throws(() => new nn.MSELoss({ reduction: "avg" as never }), /not a valid value for reduction/);
});

test("a small MLP trains end to end with Sequential, CrossEntropyLoss and Adam", () => {
  torch.manualSeed(0);
  const x = torch.randn(64, 2);
  const y = x.index(":, 0").mul(x.index(":, 1")).gt(0).int();
  const model = new nn.Sequential(new nn.Linear(2, 16), new nn.Tanh(), new nn.Linear(16, 2));
  const opt = new torch.optim.Adam(model.parameters(), { lr: 0.05 });
  const lossFn = new nn.CrossEntropyLoss();
  let first = 0;
  let last = 0;
  for (let i = 0; i < 200; i++) {
    const loss = lossFn(model(x), y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    if (i === 0) first = loss.item();
    last = loss.item();
  }
  assert.ok(last < first / 3, `loss fell from ${first} to ${last}`);
  const acc = torch.noGrad(() => model(x).argmax(1).eq(y).float().mean().item());
  assert.ok(acc > 0.9, `training accuracy ${acc}`);
});
