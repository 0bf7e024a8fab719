// ModelCheckpoint: Keras' file-name fields, saveBestOnly against the monitored value, weights
// written by saveWeights that load back into a fresh model, and its messages.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tf, ValueError, Tensor } from "../src/index.js";

const { layers, callbacks } = tf.keras;

function model(): InstanceType<typeof tf.keras.Sequential> {
  const m = new tf.keras.Sequential([new layers.Dense(1, { kernelInitializer: "zeros" })]);
  m.compile({ optimizer: new tf.keras.optimizers.SGD({ learningRate: 0.1 }), loss: "mse" });
  return m;
}

const x = tf.constant(Array.from({ length: 40 }, (_, i) => [i / 40]));
const y = tf.constant(Array.from({ length: 40 }, (_, i) => [2 * (i / 40) - 1]));

async function captured(fn: () => Promise<unknown>): Promise<string> {
  let text = "";
  const prev = tf.keras.utils.setOutput({ write: (s) => void (text += s), isTTY: false });
  try {
    await fn();
  } finally {
    tf.keras.utils.setOutput(prev);
  }
  return text;
}

test("every epoch saved under its formatted name; the last file loads back the final weights", async () => {
  const dir = mkdtempSync(join(tmpdir(), "duograd-ckpt-"));
  try {
    const m = model();
    const ckpt = new callbacks.ModelCheckpoint(join(dir, "w-{epoch:02d}-{loss:.3f}.safetensors"), { saveWeightsOnly: true, monitor: "loss" });
    const h = await m.fit(x, y, { epochs: 3, batchSize: 10, shuffle: false, verbose: 0, callbacks: [ckpt] });
    const losses = h.history.loss;
    assert.deepEqual(readdirSync(dir).sort(), losses.map((l, i) => `w-0${i + 1}-${l.toFixed(3)}.safetensors`));
    const fresh = model();
    fresh(tf.zeros([1, 1]));
    fresh.loadWeights(join(dir, `w-03-${losses[2].toFixed(3)}.safetensors`));
    const a = m.getWeights().map((t: Tensor) => Array.from(t.dataSync()));
    const b = fresh.getWeights().map((t: Tensor) => Array.from(t.dataSync()));
    assert.deepEqual(b, a);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("saveBestOnly saves only when the monitored value improves, and says so as Keras does", async () => {
  const dir = mkdtempSync(join(tmpdir(), "duograd-ckpt-"));
  try {
    const m = model();
    // The loss falls every epoch, so with mode "max" only the first epoch is an improvement.
    const ckpt = new callbacks.ModelCheckpoint(join(dir, "best-{epoch}.safetensors"), { saveWeightsOnly: true, saveBestOnly: true, monitor: "loss", mode: "max", verbose: 1 });
    let out = "";
    const h = await (async () => {
      let hist: { history: Record<string, number[]> } | null = null;
      out = await captured(async () => {
        hist = await m.fit(x, y, { epochs: 3, batchSize: 10, shuffle: false, verbose: 0, callbacks: [ckpt] });
      });
      return hist!;
    })();
    const l = h.history.loss;
    assert.ok(l[1] < l[0] && l[2] < l[1], "the loss falls");
    assert.deepEqual(readdirSync(dir), ["best-1.safetensors"]);
    assert.equal(ckpt.best, l[0]);
    assert.match(out, new RegExp(`Epoch 1: loss improved from -inf to ${l[0].toFixed(5)}, saving model to .*best-1\\.safetensors`));
    assert.match(out, new RegExp(`Epoch 2: loss did not improve from ${l[0].toFixed(5)}`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a file name field that is not logged is a clear error", async () => {
  const m = model();
  const ckpt = new callbacks.ModelCheckpoint("x-{val_acc:.2f}.safetensors", { saveWeightsOnly: true });
  await assert.rejects(
    m.fit(x, y, { epochs: 1, verbose: 0, callbacks: [ckpt] }),
    (e: unknown) => e instanceof ValueError && /ModelCheckpoint.*\{val_acc\}.*loss/.test((e as Error).message),
  );
});
