// torch.optim: the optimizer classes (param groups with per-group options, zeroGrad, step, state
// dicts) checked against PyTorch's published update formulas, written here independently in
// float64; and the learning-rate schedulers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { torch, setWarningHandler, ValueError } from "../src/index.js";

const { nn, optim } = torch;
const { StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LambdaLR } = optim.lrScheduler;
type T = torch.Tensor;

// ---- the published formulas, on plain arrays --------------------------------------------------

type Opts = Record<string, any>;
type St = Record<string, number[]>;
const zip = (a: number[], f: (v: number, i: number) => number) => a.map(f);

/** One step of `name` with options `o` on p (in place), as PyTorch's documentation writes it. */
function refStep(name: string, p: number[], grad: number[], s: St, o: Opts, t: number): void {
  let g = o.maximize ? grad.map((v) => -v) : grad.slice();
  if (name === "SGD") {
    if (o.weightDecay) g = zip(g, (v, i) => v + o.weightDecay * p[i]);
    if (o.momentum) {
      s.buf = t === 1 ? g.slice() : zip(s.buf, (b, i) => o.momentum * b + (1 - o.dampening) * g[i]);
      g = o.nesterov ? zip(g, (v, i) => v + o.momentum * s.buf[i]) : s.buf.slice();
    }
    p.forEach((v, i) => (p[i] = v - o.lr * g[i]));
  } else if (name === "Adam" || name === "AdamW") {
    if (o.weightDecay) {
      if (name === "AdamW") p.forEach((v, i) => (p[i] = v * (1 - o.lr * o.weightDecay)));
      else g = zip(g, (v, i) => v + o.weightDecay * p[i]);
    }
    const [b1, b2] = o.betas;
    s.m = zip(s.m ?? g.map(() => 0), (m, i) => b1 * m + (1 - b1) * g[i]);
    s.v = zip(s.v ?? g.map(() => 0), (v, i) => b2 * v + (1 - b2) * g[i] * g[i]);
    let v = s.v;
    if (o.amsgrad) v = s.vmax = zip(s.vmax ?? g.map(() => 0), (m, i) => Math.max(m, s.v[i]));
    p.forEach((x, i) => {
      const mHat = s.m[i] / (1 - b1 ** t);
      const vHat = v[i] / (1 - b2 ** t);
      p[i] = x - (o.lr * mHat) / (Math.sqrt(vHat) + o.eps);
    });
  } else if (name === "RMSprop") {
    if (o.weightDecay) g = zip(g, (v, i) => v + o.weightDecay * p[i]);
    s.sq = zip(s.sq ?? g.map(() => 0), (v, i) => o.alpha * v + (1 - o.alpha) * g[i] * g[i]);
    let avg: number[];
    if (o.centered) {
      s.ga = zip(s.ga ?? g.map(() => 0), (v, i) => o.alpha * v + (1 - o.alpha) * g[i]);
      avg = zip(s.sq, (v, i) => Math.sqrt(v - s.ga[i] * s.ga[i]) + o.eps);
    } else avg = s.sq.map((v) => Math.sqrt(v) + o.eps);
    if (o.momentum > 0) {
      s.buf = zip(s.buf ?? g.map(() => 0), (b, i) => o.momentum * b + g[i] / avg[i]);
      p.forEach((v, i) => (p[i] = v - o.lr * s.buf[i]));
    } else p.forEach((v, i) => (p[i] = v - (o.lr * g[i]) / avg[i]));
  } else if (name === "Adagrad") {
    if (o.weightDecay) g = zip(g, (v, i) => v + o.weightDecay * p[i]);
    const clr = o.lr / (1 + (t - 1) * o.lrDecay);
    s.sum = zip(s.sum ?? g.map(() => o.initialAccumulatorValue), (v, i) => v + g[i] * g[i]);
    p.forEach((v, i) => (p[i] = v - (clr * g[i]) / (Math.sqrt(s.sum[i]) + o.eps)));
  } else throw new Error(name);
}

const DEFAULTS: Record<string, Opts> = {
  SGD: { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false },
  Adam: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false },
  AdamW: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false },
  RMSprop: { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false },
  Adagrad: { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false },
};

// Two parameters with gradients that change along the way: loss = Σ c·p² + Σ q³/3.
const P0 = [0.5, -1.2, 2.0, 0.3, -0.7, 1.1];
const Q0 = [0.8, -0.4, 1.5];
const C = [1, 2, 0.5, 3, 1.5, 0.25];
const lossOf = (p: T, q: T) => p.square().mul(torch.tensor(C, { dtype: torch.float64 }).reshape(2, 3)).sum().add(q.pow(3).sum().div(3));
const gradP = (p: number[]) => p.map((v, i) => 2 * C[i] * v);
const gradQ = (q: number[]) => q.map((v) => v * v);

function runBoth(name: keyof typeof DEFAULTS, groupOpts: [Opts, Opts], steps = 5) {
  const p = new nn.Parameter(torch.tensor(P0, { dtype: torch.float64 }).reshape(2, 3));
  const q = new nn.Parameter(torch.tensor(Q0, { dtype: torch.float64 }));
  const Cls = (optim as unknown as Record<string, new (ps: unknown, o?: Opts) => InstanceType<typeof optim.Optimizer>>)[name];
  const opt = new Cls([{ params: [p], ...groupOpts[0] }, { params: [q], ...groupOpts[1] }]);
  const rp = P0.slice();
  const rq = Q0.slice();
  const sp: St = {};
  const sq: St = {};
  const op = { ...DEFAULTS[name], ...groupOpts[0] };
  const oq = { ...DEFAULTS[name], ...groupOpts[1] };
  for (let t = 1; t <= steps; t++) {
    opt.zeroGrad();
    lossOf(p, q).backward();
    opt.step();
    const [gp, gq] = [gradP(rp), gradQ(rq)];
    refStep(name, rp, gp, sp, op, t);
    refStep(name, rq, gq, sq, oq, t);
    const got = [...(p.tolist() as number[][]).flat(), ...(q.tolist() as number[])];
    const want = [...rp, ...rq];
    got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) <= 1e-12 + 1e-10 * Math.abs(want[i]), `${name} ${JSON.stringify(groupOpts)} step ${t} element ${i}: ${v} vs ${want[i]}`));
  }
  return opt;
}

test("SGD follows PyTorch's formula with every option, per parameter group", () => {
  runBoth("SGD", [{ lr: 0.1 }, { lr: 0.05 }]);
  runBoth("SGD", [{ lr: 0.1, momentum: 0.9 }, { lr: 0.02, momentum: 0.5, dampening: 0.3 }]);
  runBoth("SGD", [{ lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.1 }, { lr: 0.01, weightDecay: 0.5, maximize: true }]);
});

test("Adam and AdamW follow PyTorch's formulas (amsgrad, weight decay L2 vs decoupled)", () => {
  runBoth("Adam", [{ lr: 0.1 }, { lr: 0.01, betas: [0.8, 0.99] }]);
  runBoth("Adam", [{ lr: 0.1, amsgrad: true, weightDecay: 0.1 }, { lr: 0.05, eps: 1e-3, maximize: true }]);
  const opt = runBoth("AdamW", [{ lr: 0.1 }, { lr: 0.05, weightDecay: 0.3, amsgrad: true }]);
  assert.equal(opt.paramGroups[0].weightDecay, 0.01, "AdamW's default weight decay");
});

test("RMSprop (momentum, centered) and Adagrad (lr decay, initial accumulator) follow PyTorch's formulas", () => {
  runBoth("RMSprop", [{ lr: 0.01 }, { lr: 0.02, alpha: 0.9, weightDecay: 0.1 }]);
  runBoth("RMSprop", [{ lr: 0.01, momentum: 0.9, centered: true }, { lr: 0.005, centered: true, eps: 1e-4 }]);
  runBoth("Adagrad", [{ lr: 0.1 }, { lr: 0.2, lrDecay: 0.1, weightDecay: 0.05, initialAccumulatorValue: 0.5 }]);
});

test("zeroGrad zeroes in place by default (PyTorch 1.13) or drops; step skips parameters without a gradient", () => {
  const a = new nn.Parameter(torch.ones(2));
  const b = new nn.Parameter(torch.ones(2));
  const opt = new optim.SGD([a, b], { lr: 0.5, momentum: 0.9 });
  a.mul(3).sum().backward();
  const g = a.grad!;
  opt.step();
  assert.deepEqual(a.tolist(), [-0.5, -0.5]);
  assert.deepEqual(b.tolist(), [1, 1], "b had no gradient: untouched");
  assert.equal(opt.state.has(b), false, "and no state made for it");
  opt.zeroGrad();
  assert.equal(a.grad, g);
  assert.deepEqual(g.tolist(), [0, 0]);
  opt.zeroGrad({ setToNone: true });
  assert.equal(a.grad, null);
});

test("step(closure) re-evaluates the loss with gradients on and returns it", () => {
  const w = new nn.Parameter(torch.tensor([2.0]));
  const opt = new optim.SGD([w], { lr: 0.25 });
  const loss = torch.noGrad(() =>
    opt.step(() => {
      opt.zeroGrad();
      const l = w.square().sum();
      l.backward();
      return l;
    }),
  ) as T;
  assert.equal(loss.item(), 4);
  assert.deepEqual(w.tolist(), [1]);
});

test("stateDict / loadStateDict: a restored optimizer continues exactly as the original", () => {
  const make = () => new nn.Sequential(new nn.Linear(3, 4), new nn.Tanh(), new nn.Linear(4, 1)).double();
  torch.manualSeed(1);
  const m1 = make();
  const x = torch.randn(8, 3, { dtype: torch.float64 });
  const y = torch.randn(8, 1, { dtype: torch.float64 });
  const params = m1.parameters();
  const opt1 = new optim.Adam([{ params: params.slice(0, 2) }, { params: params.slice(2), lr: 0.01, amsgrad: true }], { lr: 0.05 });
  const train = (m: InstanceType<typeof nn.Module>, opt: InstanceType<typeof optim.Optimizer>, n: number) => {
    for (let i = 0; i < n; i++) {
      opt.zeroGrad();
      nn.functional.mseLoss(m(x), y).backward();
      opt.step();
    }
  };
  train(m1, opt1, 3);
  const sd = opt1.stateDict();
  assert.deepEqual(sd.paramGroups.map((g) => g.params), [[0, 1], [2, 3]]);
  assert.deepEqual(Object.keys(sd.state), ["0", "1", "2", "3"]);
  assert.deepEqual(Object.keys(sd.state[2]).sort(), ["exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step"]);
  assert.equal(sd.paramGroups[1].lr, 0.01);

  const m2 = make();
  m2.loadStateDict(m1.stateDict());
  const p2 = m2.parameters();
  const opt2 = new optim.Adam([{ params: p2.slice(0, 2) }, { params: p2.slice(2) }], { lr: 0.5 });
  opt2.loadStateDict(sd);
  assert.equal(opt2.paramGroups[1].lr, 0.01, "group options come from the state dict");
  assert.equal(opt2.paramGroups[1].amsgrad, true);
  train(m1, opt1, 3);
  train(m2, opt2, 3);
  for (const [k, t] of Object.entries(m1.stateDict())) assert.deepEqual(m2.stateDict()[k].tolist(), t.tolist(), k);
  assert.notDeepEqual((sd.state[0].exp_avg as T).tolist(), (opt1.state.get(params[0])!.exp_avg as T).tolist(), "the state dict is a snapshot");

  const before = opt2.stateDict();
  assert.throws(() => opt2.loadStateDict({ ...sd, paramGroups: sd.paramGroups.slice(0, 1) }), /different number of parameter groups/);
  assert.throws(() => opt2.loadStateDict({ ...sd, paramGroups: [sd.paramGroups[0], { ...sd.paramGroups[1], params: [2] }] }), /doesn't match the size/);
  assert.throws(() => opt2.loadStateDict({ ...sd, state: { ...sd.state, 0: { ...sd.state[0], exp_avg: torch.zeros(9) } } }), /has shape \[9\], but the parameter has shape \[4, 3\]/);
  assert.deepEqual((opt2.stateDict().state[0].exp_avg as T).tolist(), (before.state[0].exp_avg as T).tolist(), "unchanged after failed loads");
});

test("bad parameters are refused with a message that says what was given", () => {
  const lin = new nn.Linear(2, 2);
  assert.throws(() => new optim.SGD([], { lr: 0.1 }), /optimizer got an empty parameter list/);
  assert.throws(() => new optim.Adam([1, 2] as never), /optimizer can only optimize Tensors \(Parameters\), but one of the params is number/);
  assert.throws(() => new optim.SGD(lin as never, { lr: 0.1 }), /got a Module \(Linear\); pass model.parameters\(\)/);
  assert.throws(() => new optim.SGD(lin.weight as never), /should be an iterable of Tensors or dicts, but got a Tensor/);
  assert.throws(() => new optim.SGD([lin.weight.mul(2)]), /can't optimize a non-leaf Tensor/);
  assert.throws(() => new optim.SGD([{ params: [lin.weight] }, { params: [lin.weight, lin.bias!] }]), /appear in more than one parameter group/);
  assert.throws(() => new optim.SGD(lin.parameters(), { lr: -1 }), (e: Error) => e instanceof ValueError && /SGD: invalid learning rate: -1/.test(e.message));
  assert.throws(() => new optim.SGD(lin.parameters(), { lr: 0.1, nesterov: true }), /Nesterov momentum requires a momentum/);
  const opt = new optim.SGD(lin.parameters(), { lr: 0.1 });
  assert.throws(() => opt.addParamGroup({ params: [torch.ones(1, { dtype: torch.int32 })] }), /floating point/);
  opt.addParamGroup({ params: [new nn.Parameter(torch.ones(1))], lr: 0.5, momentum: 0.9 });
  assert.equal(opt.paramGroups.length, 2);
  assert.equal(opt.paramGroups[1].momentum, 0.9);
  assert.equal(opt.paramGroups[1].dampening, 0, "unset options take the defaults");
});

function lrs(make: (opt: InstanceType<typeof optim.SGD>) => InstanceType<typeof optim.lrScheduler.LRScheduler>, epochs: number, lr = 0.1) {
  const opt = new optim.SGD([new nn.Parameter(torch.ones(1))], { lr });
  const s = make(opt);
  const out = [opt.paramGroups[0].lr];
  for (let e = 1; e < epochs; e++) {
    opt.step();
    s.step();
    out.push(opt.paramGroups[0].lr);
    assert.deepEqual(s.getLastLr(), [opt.paramGroups[0].lr]);
  }
  return out;
}
const near = (a: number[], b: number[], what: string) => a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) <= 1e-12 * Math.max(1, Math.abs(b[i])), `${what} epoch ${i}: ${v} vs ${b[i]}`));

test("schedulers set the groups' learning rates epoch by epoch", () => {
  near(lrs((o) => new StepLR(o, { stepSize: 3, gamma: 0.5 }), 10), [...Array(10).keys()].map((e) => 0.1 * 0.5 ** Math.floor(e / 3)), "StepLR");
  near(lrs((o) => new StepLR(o, 2), 5), [0.1, 0.1, 0.01, 0.01, 0.001], "StepLR positional, default gamma");
  near(lrs((o) => new MultiStepLR(o, { milestones: [2, 5], gamma: 0.1 }), 7), [0.1, 0.1, 0.01, 0.01, 0.01, 0.001, 0.001], "MultiStepLR");
  near(lrs((o) => new ExponentialLR(o, 0.9), 6), [...Array(6).keys()].map((e) => 0.1 * 0.9 ** e), "ExponentialLR");
  const T = 5;
  near(lrs((o) => new CosineAnnealingLR(o, { tMax: T, etaMin: 0.01 }), 2 * T + 3), [...Array(2 * T + 3).keys()].map((e) => 0.01 + (0.09 * (1 + Math.cos((Math.PI * e) / T))) / 2), "CosineAnnealingLR (recursive form, past tMax)");
  near(lrs((o) => new LambdaLR(o, (e) => 1 / (e + 1)), 4), [0.1, 0.05, 0.1 / 3, 0.025], "LambdaLR");
});

test("schedulers: per-group lambdas, base learning rates, jumps to an epoch, state dicts, and the call-order warning", () => {
  const a = new nn.Parameter(torch.ones(1));
  const b = new nn.Parameter(torch.ones(1));
  const opt = new optim.SGD([{ params: [a] }, { params: [b], lr: 1 }], { lr: 0.1 });
  const sched = new LambdaLR(opt, [(e) => 0.5 ** e, (e) => e + 1]);
  assert.deepEqual(sched.baseLrs, [0.1, 1]);
  assert.deepEqual(opt.paramGroups.map((g) => g.initialLr), [0.1, 1]);
  const warnings: string[] = [];
  const prev = setWarningHandler((m) => warnings.push(m));
  try {
    sched.step();
  } finally {
    setWarningHandler(prev);
  }
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /Detected call of `lr_scheduler.step\(\)` before `optimizer.step\(\)`/);
  assert.deepEqual(sched.getLastLr(), [0.05, 2]);
  assert.throws(() => new LambdaLR(opt, [(e) => e]), /expected 2 lr_lambdas, but got 1/);

  const opt2 = new optim.SGD([new nn.Parameter(torch.ones(1))], { lr: 0.1 });
  const step = new StepLR(opt2, { stepSize: 3, gamma: 0.1 });
  step.step(7);
  assert.ok(Math.abs(opt2.paramGroups[0].lr - 0.001) < 1e-15, "step(epoch) uses the closed form");
  const sd = step.stateDict();
  assert.equal(sd.lastEpoch, 7);
  assert.equal("optimizer" in sd, false);
  const opt3 = new optim.SGD([new nn.Parameter(torch.ones(1))], { lr: 0.1 });
  const step3 = new StepLR(opt3, { stepSize: 3, gamma: 0.1 });
  step3.loadStateDict(sd);
  assert.equal(step3.lastEpoch, 7);
  opt3.step();
  step3.step();
  assert.equal(step3.lastEpoch, 8);
  assert.throws(() => new StepLR(opt3, { stepSize: 0 }), /step_size must be a positive integer/);
});

test("an optimizer prints its groups as PyTorch does", () => {
  const opt = new optim.Adam([new nn.Parameter(torch.ones(1))], { lr: 0.01 });
  assert.equal(opt.toString(), "Adam (\nParameter Group 0\n    amsgrad: False\n    betas: (0.9, 0.999)\n    eps: 1e-08\n    lr: 0.01\n    maximize: False\n    weightDecay: 0\n)");
});
