// The torch namespace's calling conventions: creation, PyTorch-named functions, Python-style
// indexing, F, autograd, nn.utils and torch.utils.data.
import { test } from "node:test";
import assert from "node:assert/strict";
import { torch, TorchGenerator, IndexError, ValueError } from "../src/index.js";

const F = torch.nn.functional;
type T = torch.Tensor;

test("creation takes sizes as numbers or one array, and keyword options last", () => {
  assert.deepEqual(torch.zeros(2, 3).shape, [2, 3]);
  assert.deepEqual(torch.ones([2, 3], { dtype: torch.float64 }).dtype, "float64");
  assert.equal(torch.empty(1, 1, { requiresGrad: true }).requiresGrad, true);
  assert.deepEqual(torch.full([2], 7).tolist(), [7, 7]);
  assert.deepEqual(torch.arange(4).tolist(), [0, 1, 2, 3]);
  assert.equal(torch.arange(4).dtype, "int32");
  assert.deepEqual(torch.arange(1, 2, 0.25).tolist(), [1, 1.25, 1.5, 1.75]);
  assert.equal(torch.arange(3, { dtype: torch.float64 }).dtype, "float64");
  assert.deepEqual(torch.eye(2, { dtype: torch.float64 }).tolist(), [[1, 0], [0, 1]]);
  assert.deepEqual(torch.eye(2, 3).shape, [2, 3]);
  assert.deepEqual(torch.linspace(0, 1, 3).tolist(), [0, 0.5, 1]);
  assert.equal(torch.rand(2, 2, { dtype: torch.float64 }).dtype, "float64");
  assert.deepEqual(torch.randint(0, 10, [5]).shape, [5]);
  assert.ok((torch.randint(3, [100]).tolist() as number[]).every((v) => v >= 0 && v < 3), "randint(high, size)");
  assert.deepEqual((torch.randperm(5).tolist() as number[]).sort(), [0, 1, 2, 3, 4]);
  assert.deepEqual(torch.zerosLike(torch.ones(2, { dtype: torch.float64 })).dtype, "float64");
  assert.equal(torch.long, "int32");
  assert.equal(torch.float, "float32");
  const t = torch.tensor([1, 2]);
  assert.equal(torch.asTensor(t), t);
  assert.notEqual(torch.asTensor(t, { dtype: torch.float64 }), t);
});

test("after manualSeed, torch.rand and randn repeat, and the generator state can be saved and restored", () => {
  torch.manualSeed(0);
  assert.deepEqual(Array.from(torch.rand(2).storage), [0.49625658988952637, 0.7682217955589294], "PyTorch's torch.rand(2) after manual_seed(0)");
  assert.equal(torch.initialSeed(), 0);
  const state = torch.getRngState();
  const a = torch.randn(3).tolist();
  torch.setRngState(state);
  assert.deepEqual(torch.randn(3).tolist(), a);
});

test("PyTorch's function conventions: max/min overloads, pow with a number, add with alpha", () => {
  const x = torch.tensor([[1, 5, 3], [4, 2, 6]]);
  assert.equal(torch.max(x).item(), 6);
  const [values, indices] = torch.max(x, 1);
  assert.deepEqual(values.tolist(), [5, 6]);
  assert.deepEqual(indices.tolist(), [1, 2]);
  const r = torch.min(x, 0, true);
  assert.deepEqual(r.values.tolist(), [[1, 2, 3]]);
  assert.deepEqual(r.indices.tolist(), [[0, 1, 0]]);
  assert.deepEqual(torch.max(x, torch.full([3], 4)).tolist(), [[4, 5, 4], [4, 4, 6]]);
  assert.deepEqual(torch.pow(2, torch.tensor([0, 1, 3])).tolist(), [1, 2, 8]);
  assert.deepEqual(torch.pow(torch.tensor([2, 3]), 2).tolist(), [4, 9]);
  assert.deepEqual(torch.add(torch.ones(2), torch.ones(2), { alpha: 3 }).tolist(), [4, 4]);
  assert.deepEqual(torch.sub(torch.ones(2), 1).tolist(), [0, 0]);
  assert.deepEqual(torch.mean(x, 1).tolist(), [3, 4]);
  assert.equal(torch.var(torch.tensor([1, 2, 3, 4])).item(), Math.fround(5 / 3));
  assert.deepEqual(torch.cat([x, x], 1).shape, [2, 6]);
  assert.deepEqual(torch.where(x.gt(3), x, 0).tolist(), [[0, 5, 0], [4, 0, 6]]);
  assert.ok(torch.allclose(torch.tensor([1, 2]), torch.tensor([1, 2.000001])));
  assert.ok(!torch.allclose(torch.tensor([1, 2]), torch.tensor([1, 2.1])));
});

test("x.index: Python slicing with steps, negative indices, None, ... and integers", () => {
  const x = torch.arange(24).reshape(2, 3, 4);
  assert.deepEqual(x.index("1").tolist(), (x.tolist() as number[][][])[1]);
  assert.deepEqual(x.index("0, 1:3, ::2").tolist(), [[4, 6], [8, 10]]);
  assert.deepEqual(x.index(":, -1, -1").tolist(), [11, 23]);
  assert.deepEqual(x.index("..., 0").tolist(), [[0, 4, 8], [12, 16, 20]]);
  assert.deepEqual(x.index("None, 0, ..., None").shape, [1, 3, 4, 1]);
  assert.deepEqual(x.index(1, ":2", null).shape, [2, 1, 4]);
  assert.deepEqual(x.index(0, { start: 1 }, { step: 3 }).tolist(), [[4, 7], [8, 11]]);
  assert.deepEqual(x.index("-5:100").shape, [2, 3, 4], "out-of-range slice bounds are clipped");
  assert.deepEqual(x.index("0, 2:1").shape, [0, 4]);
  assert.equal(x.index("1, 2, 3").item(), 23);
  assert.throws(() => x.index("2"), (e: Error) => e instanceof IndexError && /index 2 is out of bounds for dimension 0 with size 2/.test(e.message));
  assert.throws(() => x.index("::-1"), /step must be greater than zero/);
  assert.throws(() => x.index("0, 0, 0, 0"), /too many indices for tensor of dimension 3/);
  assert.throws(() => x.index("..., 0, ..."), /single ellipsis/);
  assert.throws(() => x.index("a:b"), ValueError);

  const w = torch.tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
  w.index(":, 1:").sum().backward();
  assert.deepEqual(w.grad!.tolist(), [[0, 1, 1], [0, 1, 1]], "gradients flow through the slice");
});

test("F: functional forms with PyTorch's keyword options", () => {
  const x = torch.tensor([[1, 2], [3, 4]]);
  const w = torch.tensor([[1, 0], [0, 1], [1, 1]]);
  assert.deepEqual(F.linear(x, w, torch.tensor([0, 0, 1])).tolist(), [[1, 2, 4], [3, 4, 8]]);
  assert.deepEqual(F.oneHot(torch.tensor([0, 2], { dtype: torch.int32 })).tolist(), [[1, 0, 0], [0, 0, 1]]);
  assert.deepEqual(F.oneHot(torch.tensor([1], { dtype: torch.int32 }), 4).tolist(), [[0, 1, 0, 0]]);
  assert.equal(F.dropout(x, { p: 0.5, training: false }), x);
  assert.equal(F.dropout(x, 0.3, false), x);
  assert.deepEqual(F.relu(torch.tensor([-1, 2])).tolist(), [0, 2]);
  assert.ok(Math.abs(F.softplus(torch.tensor([0]), 2).item() - Math.log(2) / 2) < 1e-7);
  assert.ok(Math.abs(F.gelu(torch.tensor([1]), { approximate: "tanh" }).item() - 0.8411920070648193) < 1e-6);
  const n = F.normalize(torch.tensor([[3, 4]]), { dim: 1 });
  assert.deepEqual((n.tolist() as number[][]).flat().map((v) => +v.toFixed(6)), [0.6, 0.8]);
  const ce = F.crossEntropy(torch.tensor([[2, 0, 0]]), torch.tensor([0], { dtype: torch.int32 }), { reduction: "sum" });
  assert.ok(Math.abs(ce.item() - (Math.log(Math.exp(2) + 2) - 2)) < 1e-6);
  assert.ok(Math.abs(F.logsigmoid(torch.tensor([0])).item() + Math.log(2)) < 1e-7);
});

test("grad mode and torch.autograd", () => {
  const x = torch.tensor([3], { dtype: torch.float64, requiresGrad: true });
  const y = torch.noGrad(() => x.mul(2));
  assert.equal(y.requiresGrad, false);
  assert.equal(torch.noGrad(() => torch.isGradEnabled()), false);
  assert.equal(torch.noGrad(() => torch.enableGrad(() => x.mul(2))).requiresGrad, true);
  const [g] = torch.autograd.grad(x.pow(3).sum(), [x], { createGraph: true });
  assert.deepEqual(g!.tolist(), [27]);
  const [g2] = torch.autograd.grad(g!.sum(), [x]);
  assert.deepEqual(g2!.tolist(), [18]);
  assert.ok(torch.autograd.gradcheck((a: T) => a.sin().mul(a), [torch.tensor([0.3, -1.2], { dtype: torch.float64, requiresGrad: true })]));
  const a = torch.tensor([1, 2], { requiresGrad: true });
  torch.autograd.backward([a.sum(), a.square().sum()]);
  assert.deepEqual(a.grad!.tolist(), [3, 5]);
});

test("nn.utils: gradient clipping by norm and by value", () => {
  const p = new torch.nn.Parameter(torch.tensor([3, 4]));
  const q = new torch.nn.Parameter(torch.tensor([0]));
  p.grad = torch.tensor([3, 4]);
  q.grad = torch.tensor([0]);
  const total = torch.nn.utils.clipGradNorm_([p, q], 1);
  assert.ok(Math.abs(total.item() - 5) < 1e-6);
  assert.ok(Math.abs(p.grad.norm().item() - 1) < 1e-5);
  torch.nn.utils.clipGradValue_([p], 0.5);
  assert.ok((p.grad.tolist() as number[]).every((v) => Math.abs(v) <= 0.5));
  const v = torch.nn.utils.parametersToVector([p, q]);
  assert.deepEqual(v.shape, [3]);
  torch.nn.utils.vectorToParameters(torch.tensor([7, 8, 9]), [p, q]);
  assert.deepEqual([p.tolist(), q.tolist()], [[7, 8], [9]]);
});

const { DataLoader, TensorDataset, Dataset } = torch.utils.data;

test("DataLoader batches a TensorDataset, with dropLast and batchSize null", () => {
  const xs = torch.arange(10).reshape(10, 1).float();
  const ys = torch.arange(10);
  const ds = new TensorDataset(xs, ys);
  assert.equal(ds.length, 10);
  assert.deepEqual(ds.getItem(3).map((t) => t.tolist()), [[3], 3]);
  const sizes = [...new DataLoader(ds, { batchSize: 4 })].map(([xb]) => xb.shape[0]);
  assert.deepEqual(sizes, [4, 4, 2]);
  assert.equal(new DataLoader(ds, { batchSize: 4 }).length, 3);
  const dropped = [...new DataLoader(ds, { batchSize: 4, dropLast: true })];
  assert.deepEqual(dropped.map(([, yb]) => yb.tolist()), [[0, 1, 2, 3], [4, 5, 6, 7]]);
  assert.equal(new DataLoader(ds, { batchSize: 4, dropLast: true }).length, 2);
  assert.equal([...new DataLoader(ds, { batchSize: null })].length, 10);
  assert.throws(() => new TensorDataset(xs, torch.arange(9)), /Size mismatch between tensors/);
  assert.throws(() => new DataLoader(ds, { batchSize: 0 }), /batch_size should be a positive integer/);
});

test("DataLoader shuffles with the torch generator as PyTorch's does: reproducible under a seed", () => {
  const ds = new TensorDataset(torch.arange(20));
  const epoch = (loader: Iterable<T[]>) => [...loader].flatMap(([b]) => b.tolist() as number[]);
  torch.manualSeed(0);
  const loader = new DataLoader(ds, { batchSize: 6, shuffle: true });
  const e1 = epoch(loader);
  const e2 = epoch(loader);
  assert.deepEqual(e1.slice().sort((a, b) => a - b), [...Array(20).keys()], "a permutation");
  assert.notDeepEqual(e1, e2, "reshuffled every epoch");
  torch.manualSeed(0);
  assert.deepEqual(epoch(loader), e1, "same seed, same order");

  // The protocol: the iterator draws one int64 from the global generator, the sampler one more
  // to seed its own generator, which makes the permutation.
  const g = new TorchGenerator(0);
  g.random64();
  const perm = Array.from(new TorchGenerator(BigInt.asUintN(63, g.random64())).randperm(20));
  assert.deepEqual(e1, perm);
  torch.manualSeed(0);
  epoch(new DataLoader(ds, { batchSize: 6 }));
  const after = torch.rand(1).item();
  const h = new TorchGenerator(0);
  h.random64();
  assert.equal(after, h.rand(1)[0], "without shuffling, one int64 is still drawn per epoch");

  const own = new TorchGenerator(5);
  const withGen = epoch(new DataLoader(ds, { batchSize: 6, shuffle: true, generator: own }));
  const ref = new TorchGenerator(5);
  ref.random64();
  assert.deepEqual(withGen, Array.from(ref.randperm(20)), "a loader's own generator shuffles directly");
});

test("DataLoader collates the samples of any Dataset", () => {
  class Squares extends Dataset<[T, number]> {
    get length() {
      return 5;
    }
    getItem(i: number): [T, number] {
      return [torch.tensor([i, i]), i * i];
    }
  }
  const batches = [...new DataLoader(new Squares(), { batchSize: 2 })] as [T, T][];
  assert.equal(batches.length, 3);
  assert.deepEqual(batches[0][0].tolist(), [[0, 0], [1, 1]]);
  assert.deepEqual(batches[1][1].tolist(), [4, 9]);
  const custom = [...new DataLoader(new Squares(), { batchSize: 5, collateFn: (s) => s.map(([, v]) => v) })];
  assert.deepEqual(custom, [[0, 1, 4, 9, 16]]);
});
