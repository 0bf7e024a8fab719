// ONNX export: the exported files run in ONNX Runtime (onnxruntime-node) and give duograd's
// outputs within 1e-5, for PyTorch- and Keras-dialect models, at two batch sizes (the batch
// dimension is symbolic); the protobuf is re-parsed to check its structure; what cannot be
// exported is refused with a message naming the module, layer or op.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onnx, torch, tf, Tensor } from "../src/index.js";
import { readFields, readPackedInts, toSigned, type ProtoField } from "../src/io/onnx/protobuf.js";

type Ort = typeof import("onnxruntime-node");
let ort: Ort | null = null;
let ortError = "";
try {
  ort = await import("onnxruntime-node");
} catch (e) {
  ortError = (e as Error).message;
}
const skip = ort ? false : `onnxruntime-node is not installed or does not load here (${ortError}); the exporter's structure is still checked`;
if (skip) console.log(`# io_onnx: runtime tests skipped: ${skip}`);

const { nn } = torch;
const K = tf.keras;
const L = tf.keras.layers;
type T = Tensor;

/** Runs the exported bytes in ONNX Runtime on each input and compares with `reference(x)`. */
async function checkRuntime(bytes: Uint8Array, inputs: T[], reference: (x: T) => T, tol = 1e-5): Promise<void> {
  const session = await ort!.InferenceSession.create(bytes);
  for (const x of inputs) {
    const feed = x.dtype === "int32" ? new ort!.Tensor("int32", Int32Array.from(x.storage), x.shape as number[]) : new ort!.Tensor("float32", Float32Array.from(x.storage), x.shape as number[]);
    const out = await session.run({ [session.inputNames[0]]: feed });
    const got = out[session.outputNames[0]];
    const want = reference(x);
    assert.deepEqual([...got.dims], want.shape, `output shape for batch ${x.shape[0]}`);
    let maxd = 0;
    (got.data as Float32Array).forEach((v, i) => (maxd = Math.max(maxd, Math.abs(v - want.storage[i]))));
    assert.ok(maxd <= tol, `batch ${x.shape[0]}: max |onnx − duograd| = ${maxd}`);
  }
}

const torchRef = (m: torch.nn.Module) => (x: T) => torch.noGrad(() => m.eval()(x) as T);
const kerasRef = (m: tf.keras.Model) => (x: T) => m.predict(x) as T;

test("a PyTorch MLP runs in ONNX Runtime at two batch sizes (Gemm, activations, Softmax)", { skip }, async () => {
  torch.manualSeed(1);
  const model = new nn.Sequential(new nn.Linear(6, 16), new nn.ReLU(), new nn.Linear(16, 16), new nn.GELU(), new nn.Dropout(0.5), new nn.Linear(16, 4), new nn.Softmax(1));
  const bytes = onnx.exportModel(model, torch.randn(3, 6));
  assert.equal(model.training, true, "the export restores training mode");
  await checkRuntime(bytes, [torch.randn(3, 6), torch.randn(7, 6)], torchRef(model));
});

test("a Keras MLP runs in ONNX Runtime at two batch sizes (Dense with activations, BatchNormalization, Dropout)", { skip }, async () => {
  tf.random.setSeed(2);
  const model = new K.Sequential([
    new L.Dense(12, { activation: "relu", inputShape: [5] }),
    new L.BatchNormalization(),
    new L.Dropout(0.3),
    new L.Dense(8, { activation: "tanh" }),
    new L.Dense(3, { activation: "softmax" }),
  ]);
  model.compile({ optimizer: "adam", loss: "mse" });
  await model.fit(tf.random.normal([32, 5]), tf.random.uniform([32, 3]), { epochs: 2, verbose: 0 }); // moving statistics away from 0/1
  const bytes = onnx.exportModel(model, tf.random.normal([4, 5]));
  await checkRuntime(bytes, [tf.random.normal([4, 5]), tf.random.normal([9, 5])], kerasRef(model));
});

/** A small PyTorch CNN whose BatchNorm has seen some batches (running statistics not 0/1). */
function torchCnn(): torch.nn.Sequential {
  torch.manualSeed(3);
  const model = new nn.Sequential(
    new nn.Conv2d(2, 4, 3, { padding: 1 }),
    new nn.BatchNorm2d(4),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(4, 6, 3, { padding: "same", bias: false }),
    new nn.AvgPool2d(2),
    new nn.Flatten(),
    new nn.Dropout(0.25),
    new nn.Linear(6 * 2 * 2, 5),
    new nn.LogSoftmax(1),
  );
  torch.noGrad(() => {
    for (let i = 0; i < 3; i++) model(torch.randn(8, 2, 8, 8).mul(2).add(1));
  });
  return model;
}

test("a PyTorch CNN (conv, batchnorm in eval, pooling, flatten, dropout) runs in ONNX Runtime at two batch sizes", { skip }, async () => {
  const model = torchCnn();
  const bytes = onnx.exportModel(model, torch.randn(2, 2, 8, 8));
  await checkRuntime(bytes, [torch.randn(2, 2, 8, 8), torch.randn(5, 2, 8, 8)], torchRef(model));
});

test("a Keras CNN (channels-last Conv2D same/valid, BatchNormalization, pooling, Flatten, Dropout) runs in ONNX Runtime", { skip }, async () => {
  tf.random.setSeed(4);
  const model = new K.Sequential([
    new L.Conv2D(4, 3, { padding: "same", activation: "relu", inputShape: [9, 9, 2] }),
    new L.BatchNormalization(),
    new L.MaxPooling2D(2, { padding: "same" }),
    new L.Conv2D(6, [2, 3], { strides: [1, 2], activation: "selu" }),
    new L.AveragePooling2D(2, { padding: "same" }),
    new L.Flatten(),
    new L.Dropout(0.4),
    new L.Dense(3, { activation: "softmax" }),
  ]);
  model.compile({ optimizer: "sgd", loss: "mse" });
  await model.fit(tf.random.normal([16, 9, 9, 2]), tf.random.uniform([16, 3]), { epochs: 1, verbose: 0 });
  const bytes = onnx.exportModel(model, tf.random.normal([2, 9, 9, 2]));
  await checkRuntime(bytes, [tf.random.normal([2, 9, 9, 2]), tf.random.normal([6, 9, 9, 2])], kerasRef(model));
});

test("more PyTorch modules: Conv1d, BatchNorm1d, LayerNorm, AdaptiveAvgPool2d, and every activation", { skip }, async () => {
  torch.manualSeed(5);
  const seq1d = new nn.Sequential(
    new nn.Conv1d(3, 4, 3, { stride: 2, padding: 1, dilation: 1 }),
    new nn.BatchNorm1d(4),
    new nn.LeakyReLU(0.1),
    new nn.Flatten(),
    new nn.LayerNorm(20),
    new nn.Linear(20, 8),
    new nn.ELU(0.7),
    new nn.Linear(8, 8),
    new nn.SiLU(),
    new nn.Softplus({ beta: 2 }),
    new nn.Hardtanh(-0.5, 0.5),
    new nn.GELU({ approximate: "tanh" }),
    new nn.Tanh(),
    new nn.Sigmoid(),
    new nn.Identity(),
  );
  torch.noGrad(() => seq1d(torch.randn(6, 3, 10)));
  await checkRuntime(onnx.exportModel(seq1d, torch.randn(2, 3, 10)), [torch.randn(2, 3, 10), torch.randn(3, 3, 10)], torchRef(seq1d));
  const pooled = new nn.Sequential(new nn.Conv2d(1, 2, 2, { groups: 1 }), new nn.AdaptiveAvgPool2d([2, 2]), new nn.Flatten(), new nn.Linear(8, 2));
  await checkRuntime(onnx.exportModel(pooled, torch.randn(2, 1, 5, 5)), [torch.randn(4, 1, 5, 5)], torchRef(pooled));
  const global = new nn.Sequential(new nn.Conv2d(1, 3, 3, { stride: 2, dilation: 2, padding: 2 }), new nn.MaxPool2d(2, { stride: 1, padding: 1 }), new nn.AdaptiveAvgPool2d(1), new nn.Flatten());
  await checkRuntime(onnx.exportModel(global, torch.randn(2, 1, 7, 7)), [torch.randn(3, 1, 7, 7)], torchRef(global));
  const settings = new nn.Sequential(
    new nn.Conv2d(4, 6, 3, { groups: 2, stride: [2, 1], padding: [1, 0] }),
    new nn.MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true }),
    new nn.AvgPool2d(2, { stride: 1, padding: 1, ceilMode: true, countIncludePad: false }),
  );
  await checkRuntime(onnx.exportModel(settings, torch.randn(2, 4, 9, 9)), [torch.randn(3, 4, 9, 9)], torchRef(settings));
  const dilated = new nn.Conv1d(2, 3, 4, { padding: "same", dilation: 2 });
  await checkRuntime(onnx.exportModel(dilated, torch.randn(2, 2, 9)), [torch.randn(4, 2, 9)], torchRef(dilated));
});

test("embeddings take int32 indices (PyTorch and Keras)", { skip }, async () => {
  torch.manualSeed(6);
  const tm = new nn.Sequential(new nn.Embedding(10, 4), new nn.Flatten(), new nn.Linear(12, 2));
  const idx = (n: number) => torch.randint(0, 10, [n, 3], { dtype: "int32" });
  await checkRuntime(onnx.exportModel(tm, idx(2)), [idx(2), idx(5)], torchRef(tm));
  const km = new K.Sequential([new L.Embedding(10, 4, { inputShape: [3] }), new L.Flatten(), new L.Dense(2, { activation: "softsign" })]);
  km.build([null, 3]);
  await checkRuntime(onnx.exportModel(km, idx(2)), [idx(3)], (x) => km.predict(x) as T);
});

test("more Keras layers and activations: LayerNormalization, global pooling, Reshape, Activation", { skip }, async () => {
  tf.random.setSeed(7);
  const model = new K.Sequential([
    new L.Conv2D(3, 2, { activation: "swish", inputShape: [5, 5, 1] }),
    new L.LayerNormalization(),
    new L.GlobalMaxPooling2D(),
    new L.Dense(6, { activation: "gelu" }),
    new L.Reshape([2, 3]),
    new L.LayerNormalization({ axis: [1, 2] }),
    new L.Flatten(),
    new L.Activation("hard_sigmoid"),
    new L.Dense(4, { activation: "leaky_relu" }),
    new L.Activation("exponential"),
    new L.Dense(2, { activation: "elu" }),
  ]);
  await checkRuntime(onnx.exportModel(model, tf.random.normal([2, 5, 5, 1])), [tf.random.normal([4, 5, 5, 1])], kerasRef(model));
  const gap = new K.Sequential([new L.Conv2D(2, 3, { inputShape: [4, 4, 1], dataFormat: "channels_last" }), new L.GlobalAveragePooling2D({ keepdims: true }), new L.Flatten(), new L.Activation("softplus")]);
  await checkRuntime(onnx.exportModel(gap, tf.random.normal([2, 4, 4, 1])), [tf.random.normal([3, 4, 4, 1])], kerasRef(gap));
});

test("a model's own code between layers exports op by op (the article's PyTorch model, a custom forward)", { skip }, async () => {
  class LinearRegressionPyTorch extends nn.Module {
    w = new nn.Parameter(torch.empty(1, 1).uniform_(-0.1, 0.1));
    b = new nn.Parameter(torch.empty(1).uniform_(-0.1, 0.1));
    forward(x: T) {
      return x.matmul(this.w).add(this.b);
    }
  }
  const lr = new LinearRegressionPyTorch();
  await checkRuntime(onnx.exportModel(lr, torch.randn(4, 1)), [torch.randn(4, 1), torch.randn(200, 1)], torchRef(lr));

  class Net extends nn.Module {
    conv = new nn.Conv2d(1, 2, 3);
    fc = new nn.Linear(2 * 4 * 4, 3);
    scale = new nn.Parameter(torch.ones(3).mul(0.5));
    forward(x: T) {
      const h = torch.nn.functional.relu(this.conv(x));
      const flat = h.reshape(h.shape[0], -1);
      return torch.nn.functional.linear(flat.mul(2).sub(0.25), this.fc.weight, this.fc.bias).mul(this.scale).tanh().pow(2).sum(1, true).sqrt();
    }
  }
  const net = new Net();
  await checkRuntime(onnx.exportModel(net, torch.randn(2, 1, 6, 6)), [torch.randn(2, 1, 6, 6), torch.randn(5, 1, 6, 6)], torchRef(net));
});

test("a subclassed Keras model with its own call exports too", { skip }, async () => {
  class Regressor extends K.Model {
    hidden = new L.Dense(6, { activation: "relu" });
    out = new L.Dense(2);
    call(x: T) {
      return tf.sigmoid(this.out(this.hidden(x)).mul(3)).add(x.sum(1, true));
    }
  }
  const m = new Regressor();
  await checkRuntime(onnx.exportModel(m, tf.random.normal([3, 4])), [tf.random.normal([3, 4]), tf.random.normal([8, 4])], kerasRef(m));
});

// ---- structure (no runtime needed) ------------------------------------------------------------

const fields = (b: Uint8Array, n: number): ProtoField[] => readFields(b).filter((f) => f.field === n);
const text = (f: ProtoField) => new TextDecoder().decode(f.bytes);

test("the file is a ModelProto with opset 17, IR 8, a symbolic batch dim, named inputs, outputs and weights", () => {
  torch.manualSeed(8);
  const model = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2));
  const bytes = onnx.exportModel(model, torch.randn(5, 3));
  const top = readFields(bytes);
  assert.equal(top.find((f) => f.field === 1)!.int, 8n, "ir_version");
  assert.equal(text(top.find((f) => f.field === 2)!), "duograd");
  const opset = readFields(fields(bytes, 8)[0].bytes!);
  assert.deepEqual([text(opset.find((f) => f.field === 1)!), opset.find((f) => f.field === 2)!.int], ["", 17n]);
  const graph = fields(bytes, 7)[0].bytes!;
  const opTypes = fields(graph, 1).map((n) => text(fields(n.bytes!, 4)[0]));
  assert.deepEqual(opTypes, ["Gemm", "Relu", "Gemm"]);
  const inits = fields(graph, 5).map((t) => {
    const tf_ = readFields(t.bytes!);
    return [text(tf_.find((f) => f.field === 8)!), readPackedInts(tf_.find((f) => f.field === 1)!.bytes!), Number(tf_.find((f) => f.field === 2)!.int)];
  });
  assert.deepEqual(inits, [["0.weight", [4, 3], 1], ["0.bias", [4], 1], ["2.weight", [2, 4], 1], ["2.bias", [2], 1]]);
  const dimsOf = (vi: Uint8Array) => {
    const type = fields(vi, 2)[0].bytes!;
    const tensorType = fields(type, 1)[0].bytes!;
    const shape = fields(tensorType, 2)[0].bytes!;
    return fields(shape, 1).map((d) => {
      const f = readFields(d.bytes!)[0];
      return f.field === 2 ? text(f) : toSigned(f.int!);
    });
  };
  const input = fields(graph, 11)[0].bytes!;
  assert.equal(text(fields(input, 1)[0]), "input");
  assert.deepEqual(dimsOf(input), ["batch", 3]);
  const output = fields(graph, 12)[0].bytes!;
  assert.equal(text(fields(output, 1)[0]), "output");
  assert.deepEqual(dimsOf(output), ["batch", 2]);
  // The last node writes the graph output.
  const last = fields(graph, 1).at(-1)!.bytes!;
  assert.equal(text(fields(last, 2)[0]), "output");
  // Negative attribute values are 64-bit varints (Softmax over dim -1).
  const sm = onnx.exportModel(new nn.Softmax(-1), torch.randn(2, 3));
  const smNode = fields(fields(sm, 7)[0].bytes!, 1)[0].bytes!;
  const attr = readFields(fields(smNode, 5)[0].bytes!);
  assert.equal(toSigned(attr.find((f) => f.field === 3)!.int!), -1);
});

test("opset, names and a fixed batch can be chosen; a path writes the same bytes (Node)", () => {
  const model = new nn.Linear(2, 2);
  const dir = mkdtempSync(join(tmpdir(), "duograd-onnx-"));
  try {
    const path = join(dir, "m.onnx");
    const bytes = onnx.exportModel(model, torch.randn(3, 2), path, { opset: 13, inputNames: ["x"], outputNames: ["y"], dynamicBatch: false });
    assert.deepEqual(new Uint8Array(readFileSync(path)), bytes);
    const opset = readFields(fields(bytes, 8)[0].bytes!);
    assert.equal(opset.find((f) => f.field === 2)!.int, 13n);
    assert.equal(readFields(bytes).find((f) => f.field === 1)!.int, 7n, "IR 7 goes with opset 13");
    const graph = fields(bytes, 7)[0].bytes!;
    assert.equal(text(fields(fields(graph, 11)[0].bytes!, 1)[0]), "x");
    assert.equal(text(fields(fields(graph, 12)[0].bytes!, 1)[0]), "y");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a model that returns its input, or the same tensor twice, still gets distinct outputs", { skip }, async () => {
  const id = new nn.Sequential(new nn.Dropout(0.1), new nn.Identity());
  await checkRuntime(onnx.exportModel(id, torch.randn(2, 3)), [torch.randn(4, 3)], (x) => x);
  class Twice extends nn.Module {
    fc = new nn.Linear(3, 2);
    forward(x: T) {
      const y = this.fc(x);
      return [y, y];
    }
  }
  const twice = new Twice();
  const session = await ort!.InferenceSession.create(onnx.exportModel(twice, torch.randn(2, 3)));
  assert.deepEqual(session.outputNames, ["output_0", "output_1"]);
  const x = torch.randn(3, 3);
  const out = await session.run({ input: new ort!.Tensor("float32", Float32Array.from(x.storage), [3, 3]) });
  const want = [...(torch.noGrad(() => twice.fc(x)) as T).storage];
  for (const name of session.outputNames) [...(out[name].data as Float32Array)].forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-6));
});

test("a functional Keras model exports through its graph of layer calls", { skip }, async () => {
  const inp = K.Input({ shape: [4] });
  const h = new L.Dense(5, { activation: "relu" })(inp);
  const skipConn = new L.Dense(5)(inp);
  const out = new L.Dense(2, { activation: "softmax" })(new L.Activation("tanh")(h));
  const model = new K.Model({ inputs: inp, outputs: out });
  await checkRuntime(onnx.exportModel(model, tf.random.normal([3, 4])), [tf.random.normal([3, 4]), tf.random.normal([6, 4])], kerasRef(model));
  assert.ok(skipConn, "a branch that does not reach the output is left out");
});

test("what cannot be exported is refused with the module, layer or op named; the model and sample are unchanged", () => {
  const x = torch.randn(4, 3);
  const before = x.tolist();
  const noStats = new nn.Sequential(new nn.Linear(3, 3), new nn.BatchNorm1d(3, { trackRunningStats: false }));
  assert.throws(() => onnx.exportModel(noStats, x), /module BatchNorm1d: without running statistics/);
  assert.equal(noStats.training, true, "training mode restored after a failed export");

  class Cumulative extends nn.Module {
    fc = new nn.Linear(3, 3);
    forward(h: T) {
      return this.fc(h).cumsum(1);
    }
  }
  assert.throws(() => onnx.exportModel(new Cumulative(), x), /op 'cumsum' \(on shapes \[4, 3\]\) has no ONNX form here; ops between layers may be: add, sub/);

  class SideWork extends nn.Module {
    fc = new nn.Linear(3, 3);
    seen: T | null = null;
    forward(h: T) {
      const y = this.fc(h);
      this.seen = y.cumsum(1); // dropped from the result: not exported, not refused
      return y;
    }
  }
  assert.ok(onnx.exportModel(new SideWork(), x).length > 0);

  class FunctionalSoftmax extends nn.Module {
    fc = new nn.Linear(3, 3);
    forward(h: T) {
      return torch.nn.functional.softmax(this.fc(h), 1);
    }
  }
  assert.throws(() => onnx.exportModel(new FunctionalSoftmax(), x), /depends on the batch but was computed outside the recorded graph .*use the module form \(nn\.Softmax/);

  assert.throws(() => onnx.exportModel(new nn.Linear(3, 3).double(), x.double()), /the sample input is float64; ONNX export writes float32 graphs/);
  assert.throws(() => onnx.exportModel(new nn.Sequential(new nn.Flatten(), new nn.Linear(3, 3).double()), x), /weight '1\.weight' is float64; ONNX export writes float32 models \(call model\.float\(\) first\)/);
  assert.throws(() => onnx.exportModel(new nn.Linear(3, 3), x, null, { opset: 12 }), /opset must be an integer from 13 to 17, got 12/);
  assert.throws(() => onnx.exportModel(new nn.LayerNorm(3), x, null, { opset: 13 }), /module LayerNorm: LayerNormalization needs opset 17/);
  assert.throws(() => onnx.exportModel({} as torch.nn.Module, x), /expected a torch\.nn\.Module or a tf\.keras model\/layer/);
  assert.throws(() => onnx.exportModel(new nn.Linear(3, 3), torch.tensor(1)), /a dynamic batch needs inputs with a batch dimension/);

  const custom = new K.Sequential([new L.Dense(2, { activation: (t: T) => t.mul(2), inputShape: [3] })]);
  assert.throws(() => onnx.exportModel(custom, x), /layer 'dense_\d+' \(Dense\): activation '.*' is a custom function/);
  assert.deepEqual(x.tolist(), before);
  assert.equal(x.requiresGrad, false, "the sample input is not marked by the trace");
});
