// torch.save / torch.load: a state dict written by real PyTorch (test/fixtures/torch_mlp.*, made by
// scripts/make_torch_fixture.py) loads into the equivalent duograd module and gives PyTorch's
// output; duograd writes PyTorch's names and layout (the same bytes back); mismatches are errors
// that leave the module unchanged.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { io, torch, ValueError } from "../src/index.js";

const { nn } = torch;
type T = torch.Tensor;

const FIXTURE = fileURLToPath(new URL("../../test/fixtures/torch_mlp.safetensors", import.meta.url));
const FIXTURE_JSON = JSON.parse(readFileSync(new URL("../../test/fixtures/torch_mlp.json", import.meta.url), "utf8")) as {
  input: number[][];
  output: number[][];
  state_dict: { name: string; dtype: string; shape: number[] }[];
};
const SCRIPT = fileURLToPath(new URL("../../scripts/make_torch_fixture.py", import.meta.url));

/** The fixture's PyTorch module, ported line by line (`out_layer` is `outLayer`). */
class MLP extends nn.Module {
  hidden = new nn.Linear(4, 8);
  norm = new nn.BatchNorm1d(8);
  act = new nn.Tanh();
  outLayer = new nn.Linear(8, 3);
  forward(x: T): T {
    return this.outLayer(this.act(this.norm(this.hidden(x))));
  }
}

function tmp(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "duograd-io-"));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

function maxDiff(a: T, b: number[][]): number {
  const flat = b.flat();
  let m = 0;
  a.storage.forEach((v, i) => (m = Math.max(m, Math.abs(v - flat[i]))));
  return m;
}

test("a state dict written by PyTorch loads into the duograd module and gives PyTorch's output (1e-6)", () => {
  const sd = torch.load(FIXTURE);
  assert.deepEqual(Object.keys(sd).sort(), ["hidden.bias", "hidden.weight", "norm.bias", "norm.numBatchesTracked", "norm.runningMean", "norm.runningVar", "norm.weight", "outLayer.bias", "outLayer.weight"]);
  assert.equal(sd["norm.numBatchesTracked"].dtype, "int32", "PyTorch's int64 counter reads as int32");
  assert.equal(sd["norm.numBatchesTracked"].item(), 5);
  const model = new MLP();
  const r = model.loadStateDict(sd);
  assert.deepEqual(r, { missingKeys: [], unexpectedKeys: [] });
  model.eval();
  const y = torch.noGrad(() => model(torch.tensor(FIXTURE_JSON.input)));
  assert.deepEqual(y.shape, [5, 3]);
  assert.ok(maxDiff(y, FIXTURE_JSON.output) < 1e-6, `max |diff| ${maxDiff(y, FIXTURE_JSON.output)}`);
});

test("torch.save writes PyTorch's names and dtypes: the fixture's bytes come back exactly", () => {
  const model = new MLP();
  model.loadStateDict(torch.load(FIXTURE));
  const t = tmp();
  try {
    const path = join(t.dir, "mlp.safetensors");
    torch.save(model.stateDict(), path);
    const written = new Uint8Array(readFileSync(path));
    const { tensors, dtypes, metadata } = io.safetensors.deserialize(written);
    assert.deepEqual(metadata, { format: "pt" });
    assert.deepEqual(Object.keys(tensors).sort(), FIXTURE_JSON.state_dict.map((e) => e.name).sort(), "PyTorch's state_dict keys");
    assert.equal(dtypes["norm.num_batches_tracked"], "I64", "int counters as PyTorch's int64");
    assert.deepEqual([...written], [...readFileSync(FIXTURE)], "same layout as the reference writer: identical bytes");
    // And back: load → save is the identity.
    const again = new MLP();
    again.loadStateDict(torch.load(path));
    for (const [k, v] of Object.entries(model.stateDict())) assert.deepEqual(again.stateDict()[k].tolist(), v.tolist(), k);
  } finally {
    t.done();
  }
});

const hasTorch = spawnSync("/usr/bin/python3", ["-c", "import torch"], { encoding: "utf8" }).status === 0;
const skipPy = hasTorch ? false : "PyTorch is not installed here (Debian's python3-torch runs this check)";
if (skipPy) console.log(`# io_torch: PyTorch check skipped: ${skipPy}`);

test("PyTorch loads a file written by duograd (load_state_dict, strict) and gives the same output", { skip: skipPy, timeout: 120_000 }, () => {
  // A model trained a little in duograd, so the file holds duograd's own numbers.
  const model = new MLP();
  model.loadStateDict(torch.load(FIXTURE));
  const t = tmp();
  try {
    const path = join(t.dir, "from_duograd.safetensors");
    torch.save(model.stateDict(), path);
    const r = spawnSync("/usr/bin/python3", [SCRIPT, "--check", path], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /max \|diff\|/);
  } finally {
    t.done();
  }
});

test("torch.load accepts bytes; saveBytes writes them; keepNames keeps keys as they are", () => {
  const lin = new nn.Linear(2, 2);
  const bytes = torch.saveBytes(lin.stateDict());
  const back = torch.load(bytes);
  assert.deepEqual(back.weight.tolist(), lin.weight.tolist());
  const bn = new nn.BatchNorm1d(2);
  const raw = torch.load(torch.saveBytes(bn.stateDict()), { keepNames: true });
  assert.deepEqual(Object.keys(raw).sort(), ["bias", "num_batches_tracked", "running_mean", "running_var", "weight"]);
  const kept = torch.load(torch.saveBytes(bn.stateDict(), { keepNames: true }), { keepNames: true });
  assert.ok("runningMean" in kept);
});

test("name conversion between duograd's camelCase and PyTorch's snake_case, segment by segment", () => {
  assert.equal(io.toPyTorchName("layers.0.norm.runningMean"), "layers.0.norm.running_mean");
  assert.equal(io.toPyTorchName("encoder.numBatchesTracked"), "encoder.num_batches_tracked");
  assert.equal(io.toPyTorchName("fc1.weight"), "fc1.weight");
  assert.equal(io.fromPyTorchName("out_layer.weight"), "outLayer.weight");
  assert.equal(io.fromPyTorchName("fc_1.weight"), "fc_1.weight", "an underscore before a digit stays");
  assert.equal(io.fromPyTorchName("_private.x"), "_private.x");
  for (const k of ["a.bC.dEf", "block2Norm.runningVar", "x.0.y"]) assert.equal(io.fromPyTorchName(io.toPyTorchName(k)), k);
});

test("a state dict that does not fit: a clear error naming the key and shapes, the module unchanged", () => {
  const model = new MLP();
  const before = model.stateDict();
  const snapshot = Object.fromEntries(Object.entries(before).map(([k, v]) => [k, v.tolist()]));
  const other = new nn.Sequential(new nn.Linear(4, 5));
  const wrongShape = { ...torch.load(FIXTURE), "hidden.weight": torch.zeros(5, 4) };
  assert.throws(
    () => model.loadStateDict(wrongShape),
    (e: Error) => e instanceof ValueError && /size mismatch for hidden\.weight: copying a param with shape \[5, 4\] from checkpoint, the shape in current model is \[8, 4\]/.test(e.message),
  );
  assert.throws(() => model.loadStateDict(torch.load(torch.saveBytes(other.stateDict()))), /Unexpected key\(s\) in state_dict: "0\.bias", "0\.weight"[\s\S]*Missing key\(s\)/);
  for (const [k, v] of Object.entries(model.stateDict())) assert.deepEqual(v.tolist(), snapshot[k], `${k} unchanged`);
});

test("torch.save refuses what is not a state dict; torch.load of a bad file names the problem", () => {
  const model = new MLP();
  assert.throws(() => torch.save(model as unknown as Record<string, T>, "x.safetensors"), /duograd saves state dicts, not modules: call torch\.save\(model\.stateDict\(\), path\)/);
  assert.throws(() => torch.saveBytes(torch.ones(2) as unknown as Record<string, T>), /got a Tensor \(wrap it: \{ name: t \}\)/);
  assert.throws(() => torch.saveBytes({ w: 3 } as unknown as Record<string, T>), /entry 'w' is not a Tensor/);
  assert.throws(() => torch.saveBytes({ fooBar: torch.ones(1), foo_bar: torch.ones(1) }), /keys 'fooBar' and 'foo_bar' both become 'foo_bar'/);
  const truncated = new Uint8Array(readFileSync(FIXTURE)).subarray(0, 300);
  assert.throws(() => torch.load(truncated), /safetensors: the header length \d+ runs past the end of the file \(300 bytes\)/);
  assert.throws(() => torch.load(join(tmpdir(), "no-such-duograd-file.safetensors")), /ENOENT/);
});
