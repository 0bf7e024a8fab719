// torch.nn.init and the layers' initialisation: PyTorch's fan and gain computations (checked
// against values worked out by hand) and PyTorch's numbers after the same seed (rng.json).
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { torch, setWarningHandler } from "../src/index.js";

const { nn } = torch;
const init = nn.init;

test("fan-in and fan-out: dim 1 and dim 0 times the receptive field", () => {
  assert.deepEqual(init.calculateFanInAndFanOut([5, 3]), { fanIn: 3, fanOut: 5 }, "Linear weight [out, in]");
  assert.deepEqual(init.calculateFanInAndFanOut([16, 3, 5, 5]), { fanIn: 75, fanOut: 400 }, "Conv2d weight [out, in, kh, kw]");
  assert.deepEqual(init.calculateFanInAndFanOut(torch.empty(8, 2, 3)), { fanIn: 6, fanOut: 24 }, "Conv1d weight");
  assert.deepEqual(init.calculateFanInAndFanOut(new nn.Conv2d(6, 4, 3, { groups: 2 }).weight), { fanIn: 27, fanOut: 36 }, "grouped conv: in/groups");
  assert.throws(() => init.calculateFanInAndFanOut([4]), /fewer than 2 dimensions/);
});

test("the shared fan helper also speaks Keras' kernel layout (inputs and outputs last)", async () => {
  const { calculateFanInAndFanOut } = await import("../src/nn/init.js");
  assert.deepEqual(calculateFanInAndFanOut([3, 5], "keras"), { fanIn: 3, fanOut: 5 }, "Dense kernel [in, out]");
  assert.deepEqual(calculateFanInAndFanOut([5, 5, 3, 16], "keras"), { fanIn: 75, fanOut: 400 }, "Conv2D kernel [kh, kw, in, out]");
  assert.deepEqual(calculateFanInAndFanOut([7], "keras"), { fanIn: 7, fanOut: 7 });
  assert.deepEqual(calculateFanInAndFanOut([], "keras"), { fanIn: 1, fanOut: 1 });
});

test("gains", () => {
  assert.equal(init.calculateGain("linear"), 1);
  assert.equal(init.calculateGain("conv2d"), 1);
  assert.equal(init.calculateGain("sigmoid"), 1);
  assert.equal(init.calculateGain("tanh"), 5 / 3);
  assert.equal(init.calculateGain("relu"), Math.SQRT2);
  assert.equal(init.calculateGain("leaky_relu"), Math.sqrt(2 / (1 + 0.01 ** 2)));
  assert.ok(Math.abs(init.calculateGain("leaky_relu", Math.sqrt(5)) - Math.sqrt(1 / 3)) < 1e-15);
  assert.equal(init.calculateGain("selu"), 0.75);
  assert.throws(() => init.calculateGain("swish" as never), /unsupported nonlinearity/);
});

/** The values a fill draws after `seed`, for comparing an initialiser with its formula. */
function drawn(seed: number, shape: number[], fill: (t: torch.Tensor) => void): number[] {
  torch.manualSeed(seed);
  const t = torch.empty(shape);
  fill(t);
  return Array.from(t.storage);
}

test("each initialiser draws U(-bound, bound) or N(0, std) with PyTorch's bound and std", () => {
  const shape = [20, 30];
  const [fanIn, fanOut] = [30, 20];
  const cases: [string, (t: torch.Tensor) => unknown, (t: torch.Tensor) => unknown][] = [
    ["kaimingUniform_ default (leaky_relu, a=0, fan_in)", (t) => init.kaimingUniform_(t), (t) => t.uniform_(-Math.sqrt(3) * Math.SQRT2 / Math.sqrt(fanIn), Math.sqrt(3) * Math.SQRT2 / Math.sqrt(fanIn))],
    ["kaimingUniform_ relu fan_out", (t) => init.kaimingUniform_(t, { mode: "fan_out", nonlinearity: "relu" }), (t) => t.uniform_(-Math.sqrt(6 / fanOut), Math.sqrt(6 / fanOut))],
    ["kaimingNormal_ relu", (t) => init.kaimingNormal_(t, { nonlinearity: "relu" }), (t) => t.normal_(0, Math.SQRT2 / Math.sqrt(fanIn))],
    ["xavierUniform_", (t) => init.xavierUniform_(t), (t) => t.uniform_(-Math.sqrt(6 / (fanIn + fanOut)), Math.sqrt(6 / (fanIn + fanOut)))],
    ["xavierUniform_ tanh gain", (t) => init.xavierUniform_(t, init.calculateGain("tanh")), (t) => t.uniform_(-(5 / 3) * Math.sqrt(6 / 50), (5 / 3) * Math.sqrt(6 / 50))],
    ["xavierNormal_", (t) => init.xavierNormal_(t), (t) => t.normal_(0, Math.sqrt(2 / (fanIn + fanOut)))],
    ["uniform_", (t) => init.uniform_(t, -2, 3), (t) => t.uniform_(-2, 3)],
    ["normal_", (t) => init.normal_(t, 1, 0.5), (t) => t.normal_(1, 0.5)],
  ];
  for (const [name, mine, formula] of cases) {
    const a = drawn(7, shape, (t) => void mine(t));
    const b = drawn(7, shape, (t) => void formula(t));
    const maxDiff = Math.max(...a.map((v, i) => Math.abs(v - b[i])));
    assert.ok(maxDiff <= 1e-6 * Math.max(...b.map(Math.abs)), `${name}: max difference ${maxDiff}`);
  }
  const c = torch.empty(2, 2);
  assert.deepEqual(init.constant_(c, 0.5).tolist(), [[0.5, 0.5], [0.5, 0.5]]);
  assert.deepEqual(init.ones_(c).tolist(), [[1, 1], [1, 1]]);
  assert.deepEqual(init.zeros_(c).tolist(), [[0, 0], [0, 0]]);
  const warnings: string[] = [];
  const prev = setWarningHandler((m) => warnings.push(m));
  try {
    init.kaimingUniform_(torch.empty(0, 3));
  } finally {
    setWarningHandler(prev);
  }
  assert.equal(warnings.length, 1, "a zero-element tensor is left alone, with a warning");
});

test("initialisers work on parameters that require grad (outside autograd)", () => {
  const p = new nn.Parameter(torch.empty(3, 4));
  init.kaimingUniform_(p, { a: Math.sqrt(5) });
  init.constant_(p, 1);
  assert.equal(p.gradFn, null);
  assert.equal(p.requiresGrad, true);
});

interface RngCase {
  lib: string;
  seed: number;
  calls: ({ fn: string; shape?: number[]; from?: number; to?: number; mean?: number; std?: number; weight?: number[]; bias?: number[] })[];
}
const rng = JSON.parse(fs.readFileSync(new URL("../../test/fixtures/rng.json", import.meta.url), "utf8")) as { cases: RngCase[] };

test("after torch.manualSeed, nn.Linear's initial weight and bias equal PyTorch's", () => {
  const cases = rng.cases.filter((c) => c.lib.startsWith("torch"));
  assert.ok(cases.length >= 3);
  for (const c of cases) {
    // Replay the recorded sequence: each draw moves the generator on.
    torch.manualSeed(c.seed);
    for (const call of c.calls) {
      if (call.fn === "rand") torch.rand(call.shape!);
      else if (call.fn === "randn") torch.randn(call.shape!);
      else if (call.fn === "uniform_") torch.empty(call.shape!).uniform_(call.from, call.to);
      else if (call.fn === "normal_") torch.empty(call.shape!).normal_(call.mean, call.std);
      else {
        const m = /^nn\.Linear\((\d+),(\d+)\) init$/.exec(call.fn);
        assert.ok(m, `unknown call ${call.fn}`);
        const layer = new nn.Linear(Number(m[1]), Number(m[2]));
        assert.deepEqual(Array.from(layer.weight.storage), call.weight, `seed ${c.seed}: ${call.fn} weight`);
        assert.deepEqual(Array.from(layer.bias!.storage), call.bias, `seed ${c.seed}: ${call.fn} bias`);
      }
    }
  }
});

test("Conv and Embedding initialise as PyTorch: weight then bias with bound 1/sqrt(fanIn); N(0, 1) with a zero padding row", () => {
  torch.manualSeed(3);
  const conv = new nn.Conv2d(2, 3, [3, 2]);
  torch.manualSeed(3);
  const bound = 1 / Math.sqrt(2 * 3 * 2);
  const w = torch.empty(3, 2, 3, 2).uniform_(-bound, bound);
  const b = torch.empty(3).uniform_(-bound, bound);
  const maxDiff = Math.max(...Array.from(conv.weight.storage).map((v, i) => Math.abs(v - w.storage[i])));
  assert.ok(maxDiff < 1e-7, `conv weight differs by ${maxDiff}`);
  assert.deepEqual(Array.from(conv.bias!.storage), Array.from(b.storage));

  torch.manualSeed(4);
  const emb = new nn.Embedding(5, 3, { paddingIdx: -1 });
  torch.manualSeed(4);
  const ref = torch.randn(5, 3).tolist() as number[][];
  assert.equal(emb.paddingIdx, 4);
  assert.deepEqual(emb.weight.tolist(), [...ref.slice(0, 4), [0, 0, 0]]);

  const ln = new nn.LayerNorm([2, 3]);
  assert.deepEqual(ln.weight!.tolist(), [[1, 1, 1], [1, 1, 1]]);
  assert.deepEqual(ln.bias!.tolist(), [[0, 0, 0], [0, 0, 0]]);
});
