// torch.nn.Module: registration order and names, containers, state dicts, modes, printing, and
// the errors a user meets.
import { test } from "node:test";
import assert from "node:assert/strict";
import { torch, ShapeError, ValueError } from "../src/index.js";

const { nn } = torch;
type T = torch.Tensor;

class Block extends nn.Module {
  fc = new nn.Linear(3, 4);
  act = new nn.ReLU();
  forward(x: T): T {
    return this.act(this.fc(x));
  }
}

class Net extends nn.Module {
  scale = new nn.Parameter(torch.ones(1));
  notRegistered = torch.zeros(2); // a plain tensor is an attribute, not a parameter (as in PyTorch)
  block: Block;
  head = new nn.Linear(4, 2, { bias: false });
  offset: InstanceType<typeof nn.Parameter>;
  constructor() {
    super();
    this.block = new Block();
    this.offset = new nn.Parameter(torch.zeros(2));
  }
  forward(x: T): T {
    return this.head(this.block(x)).mul(this.scale).add(this.offset);
  }
}

test("parameters are registered in declaration order, with PyTorch's dotted names", () => {
  const net = new Net();
  assert.deepEqual(
    net.namedParameters().map(([n]) => n),
    ["scale", "offset", "block.fc.weight", "block.fc.bias", "head.weight"],
    "own parameters first (fields in order, constructor assignments where they were first defined), then submodules",
  );
  assert.deepEqual(net.parameters().length, 5);
  assert.deepEqual(net.namedChildren().map(([n]) => n), ["block", "head"]);
  assert.deepEqual(net.namedModules().map(([n]) => n), ["", "block", "block.fc", "block.act", "head"]);
  assert.deepEqual(net.modules().map((m) => m.constructor.name), ["Net", "Block", "Linear", "ReLU", "Linear"]);
  assert.deepEqual(net.namedParameters("", false).map(([n]) => n), ["scale", "offset"]);
  assert.equal(net.getParameter("block.fc.weight"), (net.block as Block).fc.weight);
  assert.equal(net.getSubmodule("block.act"), net.block.act);
  assert.throws(() => net.getSubmodule("block.nope"), /Block has no attribute `nope`/);
  assert.deepEqual(net(torch.ones(5, 3)).shape, [5, 2]);
});

test("a parameter shared by two modules is listed once, but appears under both state-dict keys", () => {
  class Tied extends nn.Module {
    a = new nn.Linear(2, 2);
    b = new nn.Linear(2, 2);
    constructor() {
      super();
      this.b.weight = this.a.weight;
    }
    forward(x: T) {
      return this.b(this.a(x));
    }
  }
  const m = new Tied();
  assert.deepEqual(m.namedParameters().map(([n]) => n), ["a.weight", "a.bias", "b.bias"]);
  assert.deepEqual(Object.keys(m.stateDict()), ["a.weight", "a.bias", "b.weight", "b.bias"]);
});

test("toString prints the module tree as PyTorch's repr", () => {
  class LinearRegression extends nn.Module {
    linear = new nn.Linear(1, 1);
    forward(x: T) {
      return this.linear(x);
    }
  }
  assert.equal(String(new LinearRegression()), "LinearRegression(\n  (linear): Linear(in_features=1, out_features=1, bias=True)\n)");
  const seq = new nn.Sequential(new nn.Conv2d(1, 6, 5), new nn.BatchNorm2d(6), new nn.MaxPool2d(2), new nn.Flatten(), new nn.Dropout(0.25), new nn.Linear(864, 10, false));
  assert.equal(
    seq.toString(),
    [
      "Sequential(",
      "  (0): Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))",
      "  (1): BatchNorm2d(6, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)",
      "  (2): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)",
      "  (3): Flatten(start_dim=1, end_dim=-1)",
      "  (4): Dropout(p=0.25, inplace=False)",
      "  (5): Linear(in_features=864, out_features=10, bias=False)",
      ")",
    ].join("\n"),
  );
  const nested = new nn.Sequential({ enc: new nn.Sequential(new nn.Linear(2, 3), new nn.GELU()), ln: new nn.LayerNorm(3), emb: new nn.Embedding(10, 3, { paddingIdx: 0 }) });
  assert.equal(
    nested.toString(),
    [
      "Sequential(",
      "  (enc): Sequential(",
      "    (0): Linear(in_features=2, out_features=3, bias=True)",
      "    (1): GELU(approximate='none')",
      "  )",
      "  (ln): LayerNorm((3,), eps=1e-05, elementwise_affine=True)",
      "  (emb): Embedding(10, 3, padding_idx=0)",
      ")",
    ].join("\n"),
  );
  class Raw extends nn.Module {
    w = new nn.Parameter(torch.zeros(1));
  }
  assert.equal(String(new Raw()), "Raw()");
  assert.equal(String(new nn.LeakyReLU()), "LeakyReLU(negative_slope=0.01)");
  assert.equal(String(new nn.ELU()), "ELU(alpha=1.0)");
  assert.equal(String(new nn.Conv1d(2, 4, 3, { padding: 1, groups: 2, bias: false })), "Conv1d(2, 4, kernel_size=(3,), stride=(1,), padding=(1,), groups=2, bias=False)");
  assert.equal(String(new nn.ParameterList([torch.zeros(2, 3), torch.zeros(3)])), "ParameterList(\n    (0): Parameter containing: [torch.FloatTensor of size 2x3]\n    (1): Parameter containing: [torch.FloatTensor of size 3]\n)");
});

test("containers register their items as 0, 1, … (ModuleList, ParameterList) or by key (ModuleDict, Sequential)", () => {
  class Stack extends nn.Module {
    layers = new nn.ModuleList([new nn.Linear(2, 3), new nn.Linear(3, 1)]);
    heads = new nn.ModuleDict({ cls: new nn.Linear(1, 2) });
    gains = new nn.ParameterList([torch.ones(1)]);
    forward(x: T) {
      for (const l of this.layers) x = l(x);
      return this.heads.get("cls")!(x).mul(this.gains[0]);
    }
  }
  const s = new Stack();
  s.layers.append(new nn.Linear(1, 1));
  s.heads.set("reg", new nn.Identity());
  assert.deepEqual(s.namedParameters().map(([n]) => n), [
    "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias", "layers.2.weight", "layers.2.bias",
    "heads.cls.weight", "heads.cls.bias", "gains.0",
  ]);
  assert.equal(s.layers.length, 3);
  assert.equal(s.layers[2], s.layers.at(-1));
  assert.ok(s.gains[0] instanceof nn.Parameter, "a plain tensor put in a ParameterList becomes a Parameter");
  assert.deepEqual(s.heads.keys(), ["cls", "reg"]);
  s.layers.pop();
  assert.equal(s.layers.length, 2);
  assert.equal(s.layers[2], undefined);
  assert.deepEqual(s(torch.ones(4, 2)).shape, [4, 2]);
  assert.throws(() => new nn.ModuleList([torch.ones(1) as never]), /is not a Module subclass/);

  const seq = new nn.Sequential(new nn.Linear(2, 2), new nn.Tanh(), new nn.Linear(2, 1));
  assert.deepEqual(Object.keys(seq.stateDict()), ["0.weight", "0.bias", "2.weight", "2.bias"]);
  assert.equal(seq.length, 3);
  assert.equal(seq.slice(1).length, 2);
  assert.deepEqual(seq.slice(1).namedChildren().map(([n]) => n), ["1", "2"]);
});

test("stateDict round-trips through loadStateDict, and a bad one changes nothing", () => {
  const a = new Net();
  const b = new Net();
  const sd = a.stateDict();
  assert.deepEqual(Object.keys(sd), ["scale", "offset", "block.fc.weight", "block.fc.bias", "head.weight"]);
  assert.equal(sd["head.weight"].requiresGrad, false, "state dict tensors are detached");
  const res = b.loadStateDict(sd);
  assert.deepEqual(res, { missingKeys: [], unexpectedKeys: [] });
  for (const [k, t] of Object.entries(b.stateDict())) assert.deepEqual(t.tolist(), sd[k].tolist(), k);
  assert.notEqual(b.getParameter("head.weight").storage, a.getParameter("head.weight").storage, "values are copied, not shared");

  const before = b.stateDict();
  const snapshot = Object.fromEntries(Object.entries(before).map(([k, t]) => [k, t.clone().tolist()]));
  const bad = { ...sd, "head.weight": torch.zeros(3, 4), "block.fc.bias": torch.ones(4) };
  assert.throws(
    () => b.loadStateDict(bad),
    (e: Error) =>
      e instanceof ValueError &&
      /Error\(s\) in loading state_dict for Net/.test(e.message) &&
      /size mismatch for head\.weight: copying a param with shape \[3, 4\] from checkpoint, the shape in current model is \[2, 4\]/.test(e.message),
  );
  for (const [k, t] of Object.entries(b.stateDict())) assert.deepEqual(t.tolist(), snapshot[k], `${k} unchanged after a failed load`);

  const missing = { ...sd } as Record<string, T>;
  delete missing["scale"];
  assert.throws(() => b.loadStateDict({ ...missing, extra: torch.ones(1) }), /Unexpected key\(s\) in state_dict: "extra"\.[\s\S]*Missing key\(s\) in state_dict: "scale"\./);
  for (const [k, t] of Object.entries(b.stateDict())) assert.deepEqual(t.tolist(), snapshot[k], `${k} unchanged`);
  const loose = b.loadStateDict({ ...missing, extra: torch.ones(1) }, false);
  assert.deepEqual(loose, { missingKeys: ["scale"], unexpectedKeys: ["extra"] });
  assert.throws(() => b.loadStateDict({ ...sd, scale: torch.ones(2) }, false), /size mismatch for scale/, "shape mismatches fail even when not strict");
});

test("BatchNorm's buffers are in the state dict; train/eval switch Dropout and BatchNorm", () => {
  const bn = new nn.BatchNorm1d(2);
  assert.deepEqual(Object.keys(bn.stateDict()), ["weight", "bias", "runningMean", "runningVar", "numBatchesTracked"]);
  assert.deepEqual(bn.namedBuffers().map(([n]) => n), ["runningMean", "runningVar", "numBatchesTracked"]);
  assert.equal(bn.buffers().length, 3);
  const x = torch.tensor([[1, 10], [3, 20], [5, 60]]);
  const model = new nn.Sequential(bn, new nn.Dropout(0.5));
  assert.equal(model.training, true);

  // Training: batch statistics, running ones updated with momentum 0.1 and the unbiased variance.
  const yTrain = bn(x);
  assert.ok(Math.abs(yTrain.mean(0).index(0).item()) < 1e-6, "normalised with the batch mean");
  assert.deepEqual((bn.runningMean!.tolist() as number[]).map((v) => +v.toFixed(5)), [0.3, 3]);
  assert.deepEqual((bn.runningVar!.tolist() as number[]).map((v) => +v.toFixed(4)), [0.9 + 0.1 * 4, +(0.9 + 0.1 * 700).toFixed(4)]);
  assert.equal(bn.numBatchesTracked!.item(), 1);

  model.eval();
  assert.equal(bn.training, false, "eval() reaches every submodule");
  const yEval = bn(x);
  const rm = bn.runningMean!.tolist() as number[];
  const rv = bn.runningVar!.tolist() as number[];
  const want = [[1, 10], [3, 20], [5, 60]].map((r) => r.map((v, c) => (v - rm[c]) / Math.sqrt(rv[c] + 1e-5)));
  (yEval.tolist() as number[][]).forEach((r, i) => r.forEach((v, c) => assert.ok(Math.abs(v - want[i][c]) < 1e-5)));
  assert.equal(bn.numBatchesTracked!.item(), 1, "eval mode leaves the running statistics alone");

  const drop = model[1];
  const ones = torch.ones(1000);
  assert.equal(drop(ones), ones, "Dropout is the identity in eval mode");
  model.train();
  const dropped = drop(ones).tolist() as number[];
  assert.ok(dropped.every((v) => v === 0 || v === 2), "kept values are scaled by 1/(1-p)");
  const kept = dropped.filter((v) => v !== 0).length;
  assert.ok(kept > 400 && kept < 600, `about half kept (${kept})`);

  const momentumNone = new nn.BatchNorm1d(1, { momentum: null });
  momentumNone(torch.tensor([[1], [3]]));
  momentumNone(torch.tensor([[5], [7]]));
  assert.ok(Math.abs(momentumNone.runningMean!.item() - 4) < 1e-6, "momentum null: cumulative average of the batch means");
});

test("Linear called with the wrong feature size names the layer and both shapes", () => {
  const layer = new nn.Linear(4, 5);
  assert.throws(
    () => layer(torch.zeros(2, 3)),
    (e: Error) => e instanceof ShapeError && e.message.startsWith("Linear(in_features=4, out_features=5, bias=True): mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)"),
  );
  assert.throws(() => layer(torch.zeros(2, 6, 3)), /\(12x3 and 4x5\)/);
  assert.throws(() => new nn.Conv2d(3, 8, 3)(torch.zeros(1, 1, 8, 8)), /^ShapeError: Conv2d\(3, 8, kernel_size=\(3, 3\), stride=\(1, 1\)\): /);
});

test("zeroGrad, requiresGrad_, apply, to(dtype) and hooks", () => {
  const net = new Net();
  net(torch.ones(2, 3)).sum().backward();
  const w = net.getParameter("head.weight");
  const g = w.grad!;
  net.zeroGrad();
  assert.equal(w.grad, g, "zeroed in place (PyTorch 1.13's default)");
  assert.ok((g.tolist() as number[][]).flat().every((v) => v === 0));
  net.zeroGrad(true);
  assert.equal(w.grad, null);

  net.requiresGrad_(false);
  assert.ok(net.parameters().every((p) => !p.requiresGrad));
  net.requiresGrad_();

  const visited: string[] = [];
  net.apply((m) => visited.push(m.constructor.name));
  assert.deepEqual(visited, ["Linear", "ReLU", "Block", "Linear", "Net"], "children first, then the module");

  let zeroed = 0;
  net.apply((m) => {
    if (m instanceof nn.Linear) {
      nn.init.zeros_(m.weight);
      zeroed++;
    }
  });
  assert.equal(zeroed, 2);

  const opt = new torch.optim.SGD(net.parameters(), { lr: 0.1 });
  net.double();
  assert.ok(net.parameters().every((p) => p.dtype === "float64"));
  assert.equal(opt.paramGroups[0].params[0], net.parameters()[0], "the same Parameter objects, converted in place");
  assert.equal(net(torch.ones(2, 3, { dtype: torch.float64 })).dtype, "float64");
  assert.throws(() => net.to("int32"), /only accepts floating point dtypes/);

  const lin = new nn.Linear(2, 2);
  const seen: number[][] = [];
  const h = lin.registerForwardHook((_m, _args, out) => void seen.push((out as T).shape.slice()));
  const pre = lin.registerForwardPreHook((_m, args) => [(args[0] as T).mul(0)]);
  const out = lin(torch.ones(3, 2));
  assert.deepEqual(seen, [[3, 2]]);
  assert.deepEqual(out.tolist(), lin.bias!.expand(3, 2).tolist(), "the pre-hook replaced the input by zeros");
  h.remove();
  pre.remove();
  lin(torch.ones(1, 2));
  assert.equal(seen.length, 1);
});

test("a module without forward says so; registration helpers check their arguments", () => {
  class Empty extends nn.Module {}
  assert.throws(() => new Empty()(torch.ones(1)), /Module \[Empty\] is missing the required "forward" function/);
  const m = new Empty();
  m.registerBuffer("stats", torch.zeros(3));
  m.registerBuffer("scratch", torch.zeros(1), false);
  m.registerParameter("p", new nn.Parameter(torch.ones(2)));
  assert.deepEqual(Object.keys(m.stateDict()), ["p", "stats"], "parameters, then persistent buffers");
  assert.deepEqual(m.namedBuffers().map(([n]) => n), ["stats", "scratch"]);
  assert.throws(() => m.registerParameter("q", torch.ones(1) as never), /cannot assign a non-Parameter/);
  assert.throws(() => m.registerBuffer("a.b", torch.ones(1)), /without "\."/);
  assert.throws(() => new nn.Parameter(torch.tensor([1, 2], { dtype: torch.int32 })), /only tensors of floating point dtype/);
  assert.equal(String(new nn.Parameter(torch.tensor([1.5]))), "Parameter containing:\ntensor([1.5000], requires_grad=True)");
});
