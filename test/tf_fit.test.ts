// compile/fit/evaluate/predict: shapes, History, seeded shuffling, validation split from the end,
// callbacks (EarlyStopping, LambdaCallback), Keras' progress output, one-batch steps, bad input.
import { test } from "node:test";
import assert from "node:assert/strict";
import { tf, ValueError, Tensor } from "../src/index.js";
import type { StepData } from "../src/tf/keras/model.js";

const { layers } = tf.keras;
const vals = (t: Tensor): number[] => Array.from(t.dataSync());

class Linear extends tf.keras.Model {
  linear = new layers.Dense(1, { kernelInitializer: "zeros" });
  override call(x: Tensor) {
    return this.linear(x);
  }
}

/** n samples of y = 2x − 1 (x as a vector, as the article passes it). */
function line(n: number): { x: Tensor; y: Tensor } {
  const xs = Array.from({ length: n }, (_, i) => i / n);
  return { x: tf.constant(xs), y: tf.constant(xs.map((v) => 2 * v - 1)) };
}

/** Captures Keras' printed output while `fn` runs. */
async function capture(isTTY: boolean, fn: () => unknown): Promise<string> {
  let text = "";
  const prev = tf.keras.utils.setOutput({ write: (s) => void (text += s), isTTY });
  try {
    await fn();
  } finally {
    tf.keras.utils.setOutput(prev);
  }
  return text;
}

// Timings vary: " - 0s 2ms/step" and " - ETA: 0s" are masked.
const mask = (s: string) => s.replace(/ - \d+s \d+(us|ms|s)\/step/g, " - Ts T/step").replace(/ - ETA: [\d:]+s?/g, " - ETA: T").replace(/(\d+\/\d+) - \d+s/g, "$1 - Ts");

test("fit returns a History; evaluate and predict give Keras' shapes; 1-D x is one feature", async () => {
  const { x, y } = line(100);
  const m = new Linear();
  m.compile({ optimizer: new tf.keras.optimizers.SGD({ learningRate: 0.5 }), loss: "mse", metrics: ["mae"] });
  const h = await m.fit(x, y, { epochs: 4, batchSize: 32, verbose: 0 });
  assert.deepEqual(Object.keys(h.history), ["loss", "mae"]);
  assert.equal(h.history.loss.length, 4);
  assert.deepEqual(h.epoch, [0, 1, 2, 3]);
  assert.deepEqual(h.params, { verbose: 0, epochs: 4, steps: 4 });
  assert.equal(m.history, h);
  assert.ok(h.history.loss[3] < h.history.loss[0], "the loss falls");
  assert.deepEqual(m.linear.kernel!.shape, [1, 1], "built for [n, 1] inputs");
  const pred = m.predict(x) as Tensor;
  assert.deepEqual(pred.shape, [100, 1]);
  const ev = m.evaluate(x, y, { verbose: 0 }) as number[];
  assert.equal(ev.length, 2);
  assert.deepEqual(m.metricsNames, ["loss", "mae"]);
  // evaluate's loss is the mean over all samples.
  const mse = vals(pred).reduce((a, p, i) => a + (p - vals(y)[i]) ** 2, 0) / 100;
  assert.ok(Math.abs(ev[0] - mse) < 1e-5);
  assert.equal(typeof (m.evaluate(x, y, { verbose: 0, returnDict: true }) as Record<string, number>).mae, "number");
});

test("evaluate returns a number without metrics; the epoch loss is the sample-weighted mean of batch losses", async () => {
  const { x, y } = line(10);
  const m = new Linear();
  m.compile({ optimizer: new tf.keras.optimizers.SGD({ learningRate: 0 }), loss: "mean_absolute_error" });
  const ev = m.evaluate(x, y, { batchSize: 4, verbose: 0 });
  assert.equal(typeof ev, "number");
  // Zero weights: the prediction is 0, so the loss is mean(|y|) over all 10 samples, though batches are 4, 4, 2.
  const expect = vals(y).reduce((a, v) => a + Math.abs(v), 0) / 10;
  assert.ok(Math.abs((ev as number) - expect) < 1e-6);
  const h = await m.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
  assert.ok(Math.abs(h.history.loss[0] - expect) < 1e-6);
});

/** A model recording the inputs its train and test steps see (their first column). */
class Recorder extends Linear {
  trainRows: number[][] = [];
  testRows: number[] = [];
  override trainStep(data: StepData) {
    this.trainRows.push(vals(data[0] as Tensor));
    return super.trainStep(data);
  }
  override testStep(data: StepData) {
    this.testRows.push(...vals(data[0] as Tensor));
    return super.testStep(data);
  }
}

test("shuffling: every sample once per epoch, reproducible with tf.random.setSeed; shuffle: false keeps the order", async () => {
  const x = tf.range(0, 20, 1, tf.float32);
  const y = tf.zeros([20]);
  const run = async (seed: number, shuffle: boolean) => {
    tf.random.setSeed(seed);
    const m = new Recorder();
    m.compile({ optimizer: "sgd", loss: "mse" });
    await m.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0, shuffle });
    return m.trainRows;
  };
  const a = await run(1, true);
  assert.deepEqual(a.map((r) => r.length), [8, 8, 4, 8, 8, 4]);
  const epoch1 = a.slice(0, 3).flat().sort((p, q) => p - q);
  assert.deepEqual(epoch1, Array.from({ length: 20 }, (_, i) => i));
  assert.notDeepEqual(a.slice(0, 3).flat(), Array.from({ length: 20 }, (_, i) => i), "shuffled");
  assert.notDeepEqual(a.slice(0, 3), a.slice(3), "reshuffled each epoch");
  assert.deepEqual(await run(1, true), a, "same seed, same batches");
  assert.notDeepEqual(await run(2, true), a);
  assert.deepEqual((await run(1, false)).slice(0, 3).flat(), Array.from({ length: 20 }, (_, i) => i));
});

test("validationSplit takes the last samples, before shuffling; val_ metrics are logged", async () => {
  const x = tf.range(0, 10, 1, tf.float32);
  const y = tf.zeros([10]);
  const m = new Recorder();
  m.compile({ optimizer: "sgd", loss: "mse", metrics: ["mae"] });
  const h = await m.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0, validationSplit: 0.3 });
  assert.deepEqual(m.testRows, [7, 8, 9, 7, 8, 9]);
  assert.ok(m.trainRows.flat().every((v) => v < 7));
  assert.deepEqual(Object.keys(h.history), ["loss", "mae", "val_loss", "val_mae"]);
  assert.deepEqual(h.params.steps, 2);
  const h2 = await m.fit(x, y, { epochs: 1, verbose: 0, validationData: [tf.constant([1, 2]), tf.constant([0, 0])] });
  assert.ok("val_loss" in h2.history);
  await assert.rejects(m.fit(x, y, { validationSplit: 1.5, verbose: 0 }), /validationSplit must be in \(0, 1\)/);
});

test("EarlyStopping stops after `patience` epochs without improvement and can restore the best weights", async () => {
  const { x, y } = line(32);
  const flat = new Linear();
  flat.compile({ optimizer: new tf.keras.optimizers.SGD({ learningRate: 0 }), loss: "mse" });
  const es = new tf.keras.callbacks.EarlyStopping({ monitor: "loss", patience: 2 });
  const h = await flat.fit(x, y, { epochs: 20, verbose: 0, callbacks: [es] });
  assert.equal(h.history.loss.length, 3);
  assert.equal(es.stoppedEpoch, 2);

  // A learning rate far too large: the loss grows from the first epoch on.
  const wild = new Linear();
  wild.compile({ optimizer: new tf.keras.optimizers.SGD({ learningRate: 2 }), loss: "mse" });
  const xw = tf.range(0, 32, 1, tf.float32);
  const yw = tf.subtract(tf.multiply(xw, 2), 1);
  let afterFirst: Tensor[] = [];
  const grab = new tf.keras.callbacks.LambdaCallback({ onEpochEnd: (epoch) => void (epoch === 0 && (afterFirst = wild.getWeights())) });
  const best = new tf.keras.callbacks.EarlyStopping({ monitor: "loss", patience: 1, restoreBestWeights: true });
  const h2 = await wild.fit(xw, yw, { epochs: 10, batchSize: 32, verbose: 0, callbacks: [grab, best] });
  assert.equal(h2.history.loss.length, 2);
  assert.ok(h2.history.loss[1] > h2.history.loss[0]);
  assert.deepEqual(wild.getWeights().map(vals), afterFirst.map(vals));
  assert.equal(new tf.keras.callbacks.EarlyStopping({ monitor: "val_accuracy" }).mode, "max");
});

test("callbacks: hooks in order, logs, stopTraining; fit yields to the event loop between epochs", async () => {
  const { x, y } = line(20);
  const m = new Linear();
  m.compile({ optimizer: "sgd", loss: "mse" });
  const events: string[] = [];
  let timerFired = false;
  // (An immediate, not a timer: a 0 ms timer is due only after 1 ms, so whether an epoch
  // outlasts it is up to the machine.)
  setImmediate(() => (timerFired = true));
  let firedBy = -1;
  class Log extends tf.keras.callbacks.Callback {
    override onTrainBegin() {
      events.push("train_begin");
    }
    override onEpochBegin(e: number) {
      events.push(`epoch_begin ${e}`);
      if (timerFired && firedBy < 0) firedBy = e;
    }
    override onTrainBatchEnd(b: number, logs?: Record<string, number>) {
      events.push(`batch_end ${b} ${typeof logs?.loss}`);
    }
    override async onEpochEnd(e: number) {
      events.push(`epoch_end ${e}`);
      if (e === 1) this.model!.stopTraining = true;
    }
    override onTrainEnd() {
      events.push("train_end");
    }
  }
  await m.fit(x, y, { epochs: 5, batchSize: 10, verbose: 0, callbacks: [new Log()] });
  assert.deepEqual(events, [
    "train_begin", "epoch_begin 0", "batch_end 0 number", "batch_end 1 number", "epoch_end 0",
    "epoch_begin 1", "batch_end 0 number", "batch_end 1 number", "epoch_end 1", "train_end",
  ]);
  assert.equal(firedBy, 1, "a task queued before fit ran between epochs 0 and 1");
});

test("progress output: Epoch lines and one bar line per epoch off a terminal (verbose 1)", async () => {
  const { x, y } = line(200);
  const m = new Linear();
  m.compile({ optimizer: new tf.keras.optimizers.SGD({ learningRate: 0.01 }), loss: tf.keras.losses.meanAbsoluteError });
  let h: Awaited<ReturnType<typeof m.fit>> | null = null;
  const out = await capture(false, async () => (h = await m.fit(x, y, { epochs: 3, batchSize: 32 })));
  const losses = h!.history.loss.map((l) => l.toFixed(4));
  assert.equal(
    mask(out),
    [
      "Epoch 1/3",
      `7/7 [==============================] - Ts T/step - loss: ${losses[0]}`,
      "Epoch 2/3",
      `7/7 [==============================] - Ts T/step - loss: ${losses[1]}`,
      "Epoch 3/3",
      `7/7 [==============================] - Ts T/step - loss: ${losses[2]}`,
      "",
    ].join("\n"),
  );
  // The unmasked timing has Keras' form.
  assert.match(out.split("\n")[1], /^7\/7 \[=+\] - \d+s \d+(us|ms|s)\/step - loss: \d\.\d{4}$/);
});

test("progress output: verbose 2 one line per epoch, verbose 0 nothing, validation and small values", async () => {
  const { x, y } = line(40);
  const m = new Linear();
  m.compile({ optimizer: new tf.keras.optimizers.SGD({ learningRate: 0 }), loss: "mse" });
  const out2 = await capture(false, () => m.fit(x, y, { epochs: 2, batchSize: 16, verbose: 2, validationSplit: 0.25 }));
  const loss = (m.evaluate(tf.slice(x, [0], [30]), tf.slice(y, [0], [30]), { verbose: 0 }) as number).toFixed(4);
  const vloss = (m.evaluate(tf.slice(x, [30], [10]), tf.slice(y, [30], [10]), { verbose: 0 }) as number).toFixed(4);
  assert.equal(mask(out2), `Epoch 1/2\n2/2 - Ts - loss: ${loss} - val_loss: ${vloss}\nEpoch 2/2\n2/2 - Ts - loss: ${loss} - val_loss: ${vloss}\n`);
  assert.equal(await capture(false, () => m.fit(x, y, { epochs: 2, verbose: 0 })), "");
  // One epoch: no "Epoch 1/1" line, as Keras.
  const one = await capture(false, () => m.fit(x, y, { epochs: 1, batchSize: 40 }));
  assert.match(mask(one), /^1\/1 \[==============================\] - Ts T\/step - loss: /);
  assert.equal(tf.keras.utils.Progbar.name, "Progbar");
  const tiny = await capture(false, () => new tf.keras.utils.Progbar(3).update(3, [["loss", 0.000123456]], true));
  assert.match(tiny, /loss: 1\.2346e-04\n$/);
});

test("progress output on a terminal: the line is redrawn in place with \\r", async () => {
  const { x, y } = line(200);
  const m = new Linear();
  m.compile({ optimizer: "sgd", loss: "mse" });
  const out = await capture(true, () => m.fit(x, y, { epochs: 2, batchSize: 32 }));
  const lines = out.split("\n");
  assert.equal(lines[0], "Epoch 1/2");
  const frames = lines[1].split("\r").filter((f) => f.length > 0);
  assert.match(mask(frames[0]), /^1\/7 \[===>\.{26}\] - ETA: T - loss: \d\.\d{4}$/);
  assert.match(mask(frames[frames.length - 1]), /^7\/7 \[={30}\] - Ts T\/step - loss: \d\.\d{4}\s*$/);
  const ev = await capture(true, () => m.evaluate(x, y));
  assert.match(mask(ev), /7\/7 \[={30}\] - Ts T\/step - loss: \d\.\d{4}\s*\n$/);
});

test("trainOnBatch / testOnBatch / predictOnBatch; the regularization loss joins the loss", () => {
  const m = new tf.keras.Sequential([new layers.Dense(1, { inputShape: [2], kernelInitializer: "ones", biasInitializer: "zeros", kernelRegularizer: tf.keras.regularizers.l2(0.5) })]);
  m.compile({ optimizer: new tf.keras.optimizers.SGD({ learningRate: 0 }), loss: "mse", metrics: ["mse"] });
  const x = tf.constant([[1, 2], [0, 1]]);
  const y = tf.constant([[0], [0]]);
  const [loss, metric] = m.testOnBatch(x, y) as number[];
  assert.ok(Math.abs(metric - (9 + 1) / 2) < 1e-6);
  assert.ok(Math.abs(loss - (5 + 0.5 * 2)) < 1e-6, "mse + l2·Σk²");
  const before = m.getWeights().map(vals);
  const r = m.trainOnBatch(x, y, { returnDict: true }) as Record<string, number>;
  assert.ok(Math.abs(r.loss - 6) < 1e-6);
  assert.deepEqual(m.getWeights().map(vals), before, "learning rate 0");
  assert.deepEqual((m.predictOnBatch(x) as Tensor).shape, [2, 1]);
});

test("accuracy follows the labels: sparse, categorical, binary", async () => {
  tf.random.setSeed(0);
  const x = tf.random.normal([30, 4]);
  const sparse = tf.constant(Array.from({ length: 30 }, (_, i) => i % 3), tf.int32);
  const m = new tf.keras.Sequential([new layers.Dense(3, { activation: "softmax", inputShape: [4] })]);
  m.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
  const h = await m.fit(x, sparse, { epochs: 2, verbose: 0 });
  const pred = m.predict(x) as Tensor;
  const [, acc] = m.evaluate(x, sparse, { verbose: 0 }) as number[];
  const hits = vals(tf.equal(tf.argmax(pred, 1), sparse)).filter(Boolean).length;
  assert.ok(Math.abs(acc - hits / 30) < 1e-6);
  assert.equal(h.history.accuracy.length, 2);
  const m2 = new tf.keras.Sequential([new layers.Dense(1, { activation: "sigmoid", inputShape: [4] })]);
  m2.compile({ optimizer: "sgd", loss: "binary_crossentropy", metrics: ["acc"] });
  const yb = tf.constant(Array.from({ length: 30 }, (_, i) => i % 2));
  const [, accB] = m2.evaluate(x, yb, { verbose: 0 }) as number[];
  const pb = vals(m2.predict(x) as Tensor);
  assert.ok(Math.abs(accB - pb.filter((p, i) => (p > 0.5 ? 1 : 0) === i % 2).length / 30) < 1e-6);
});

test("bad input: x and y of different lengths, fit before compile, unknown loss names", async () => {
  const m = new Linear();
  await assert.rejects(m.fit(tf.zeros([4]), tf.zeros([4])), /You must compile your model before training\/testing/);
  m.compile({ optimizer: "sgd", loss: "mse" });
  await assert.rejects(
    m.fit(tf.zeros([200]), tf.zeros([100]), { verbose: 0 }),
    (e: unknown) => e instanceof ValueError && /Data cardinality is ambiguous/.test((e as Error).message) && /x sizes: 200/.test((e as Error).message) && /y sizes: 100/.test((e as Error).message),
  );
  assert.throws(() => m.evaluate(tf.zeros([3]), tf.zeros([2])), /Data cardinality is ambiguous/);
  assert.throws(() => m.compile({ optimizer: "sgd", loss: "mean_cubic_error" }), /Unknown loss function: 'mean_cubic_error'. Known losses: mean_squared_error, mse/);
  await assert.rejects(m.fit(tf.zeros([4]), tf.zeros([4]), { batchSize: 0, verbose: 0 }), /batchSize must be a positive integer/);
});
