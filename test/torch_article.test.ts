// The article's two PyTorch programs (ARTICLE.md programs 3 and 5c) as shipped in examples/, run
// as scripts, against PyTorch 1.13's numbers (test/fixtures/article_torch.json).
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { torch, RandomState, setWarningHandler } from "../src/index.js";
import { generateData } from "../src/article/data.js";

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

const { x, y } = generateData(new RandomState(0));
const labels = torch.tensor(y).reshape(-1, 1);

/** Runs a shipped example and reads back what it prints: `Epoch N : Loss L` lines and the final `w = …, b = …`. */
function runExample(name: string): { logged: [number, number][]; w: number; b: number } {
  const out = execFileSync(process.execPath, [fileURLToPath(new URL(`../examples/${name}.js`, import.meta.url))], { encoding: "utf8" });
  const logged = [...out.matchAll(/^Epoch (\d+) : Loss (\S+)$/gm)].map((m) => [Number(m[1]), Number(m[2])] as [number, number]);
  const last = /^w = (\S+), b = (\S+)$/m.exec(out);
  assert.ok(last, `${name} prints its final w and b`);
  return { logged, w: Number(last[1]), b: Number(last[2]) };
}

function checkAgainst(run: Run, got: ReturnType<typeof runExample>): void {
  assert.deepEqual(got.logged.map(([e]) => e), run.log_every_20.map(([e]) => e));
  got.logged.forEach(([e, l], i) => close(l, run.log_every_20[i][1], `loss at epoch ${e}`));
  close(got.w, run.final_w[0], "final w");
  close(got.b, run.final_b[0], "final b");
}

// The examples are the article's programs line by line; their initial values are checked bit for
// bit in test/random.test.ts and test/torch_init.test.ts.
test("program 3 (examples/torch_raw.ts): raw parameters, backward() and noGrad reproduce PyTorch", () => {
  checkAgainst(oracle.raw, runExample("torch_raw"));
});

test("program 5c (examples/torch_layers.ts): nn.Linear, nn.MSELoss and optim.SGD reproduce PyTorch", () => {
  checkAgainst(oracle.layers, runExample("torch_layers"));
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
