// Keras' training loops: fit (asynchronous, yielding between epochs), evaluate, predict and the
// one-batch variants, driving a model's trainStep/testStep/predictStep and the callbacks.
import { Tensor } from "../../tensor/tensor.js";
import { ValueError } from "../../tensor/errors.js";
import { cat } from "../../ops/api.js";
import { permutation } from "../random.js";
import { convertToTensor } from "../convert.js";
import type { Model, StepData } from "./model.js";
import { Callback, History, ProgbarLogger, type Logs } from "./callbacks.js";
import { cardinality, expand1d, pick, rows, toInputs, type DataInput, type Inputs } from "./data.js";

export interface FitArgs {
  /** Passes over the data (default 1). */
  epochs?: number;
  /** Samples per gradient update (default 32). */
  batchSize?: number;
  /** 0 silent, 1 progress bar (default), 2 one line per epoch. */
  verbose?: 0 | 1 | 2;
  callbacks?: Callback[];
  /** Fraction of the data, taken from the end before shuffling, held out for validation. */
  validationSplit?: number;
  /** `[xVal, yVal]` (or with sample weights) to evaluate at the end of each epoch. */
  validationData?: readonly [DataInput, DataInput] | readonly [DataInput, DataInput, DataInput];
  /** Shuffle the training samples before each epoch (default true), from the tf generator. */
  shuffle?: boolean;
  /** Per-sample loss weights. */
  sampleWeight?: DataInput | null;
  /** The epoch to start from (to resume a run). */
  initialEpoch?: number;
  validationBatchSize?: number;
  /** Validate every `validationFreq` epochs. */
  validationFreq?: number;
}

export interface EvaluateArgs {
  batchSize?: number;
  /** 0 silent, 1 progress bar (default). */
  verbose?: 0 | 1 | 2;
  sampleWeight?: DataInput | null;
  callbacks?: Callback[];
  /** Return `{ loss, ...metrics }` instead of a number or an array. */
  returnDict?: boolean;
}

export interface PredictArgs {
  batchSize?: number;
  /** 0 silent (default, as TF 2.x before 2.10), 1 progress bar. */
  verbose?: 0 | 1 | 2;
  callbacks?: Callback[];
}

function checkPositiveInt(op: string, what: string, v: number): void {
  if (!Number.isInteger(v) || v <= 0) throw new ValueError(`${op}: ${what} must be a positive integer, got ${v}`);
}

function checkCompiled(model: Model, op: string): void {
  if (!model.isCompiled) throw new ValueError(`You must compile your model before ${op === "fit" ? "training/testing" : "using it"}. Use \`model.compile({ optimizer, loss })\`.`);
}

/** Logs as numbers (a custom step may return tensors). */
function numbers(logs: Record<string, number | Tensor>): Logs {
  const out: Logs = {};
  for (const [k, v] of Object.entries(logs)) out[k] = v instanceof Tensor ? v.item() : v;
  return out;
}

/** Runs the hooks of every callback in order, awaiting those that return a promise. */
class CallbackList {
  constructor(readonly callbacks: Callback[]) {}

  async run(fn: (c: Callback) => void | Promise<void>): Promise<void> {
    for (const c of this.callbacks) await fn(c);
  }

  /** Synchronous hooks (evaluate/predict): promises are not awaited. */
  runSync(fn: (c: Callback) => unknown): void {
    for (const c of this.callbacks) fn(c);
  }
}

interface Prepared {
  x: Inputs;
  y: Tensor | null;
  sw: Tensor | null;
  n: number;
}

function prepare(x: DataInput, y: DataInput | null, sampleWeight: DataInput | null | undefined): Prepared {
  const xs = expand1d(toInputs(x));
  const ys = y === null || y === undefined ? null : (expand1d(convertToTensor(y as never)) as Tensor);
  const sw = sampleWeight === null || sampleWeight === undefined ? null : convertToTensor(sampleWeight as never);
  const n = cardinality([["x", xs], ["y", ys], ["sample_weight", sw]]);
  return { x: xs, y: ys, sw, n };
}

function slicePrepared(p: Prepared, start: number, end: number): Prepared {
  return {
    x: rows(p.x, start, end),
    y: p.y === null ? null : (rows(p.y, start, end) as Tensor),
    sw: p.sw === null ? null : (rows(p.sw, start, end) as Tensor),
    n: end - start,
  };
}

/**
 * Yields to the event loop once per epoch (so a browser page stays responsive during fit, and
 * timers and finalizers run), as TF.js's nextFrame does. Not with setTimeout: Node clamps its
 * delay to 1 ms and browsers to 4 ms once nested, which was most of a small model's epoch (W7:
 * 1.4 ms per epoch of 7 batches, ~80% of it idle). setImmediate where the host has it (Node),
 * else a MessageChannel message (browsers), both a task without a clamp.
 */
function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (fn: () => void) => unknown };
  if (typeof g.setImmediate === "function") return new Promise((resolve) => g.setImmediate!(resolve));
  if (typeof MessageChannel === "function") {
    return new Promise((resolve) => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => {
        ch.port1.close();
        resolve();
      };
      ch.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Keras' fit. See Model.fit. */
export async function fit(model: Model, x: DataInput, y: DataInput | null, opts: FitArgs): Promise<History> {
  checkCompiled(model, "fit");
  const epochs = opts.epochs ?? 1;
  const batchSize = opts.batchSize ?? 32;
  const verbose = opts.verbose ?? 1;
  const initialEpoch = opts.initialEpoch ?? 0;
  const validationFreq = opts.validationFreq ?? 1;
  checkPositiveInt("fit", "batchSize", batchSize);
  checkPositiveInt("fit", "validationFreq", validationFreq);
  if (!Number.isInteger(epochs) || epochs < 0) throw new ValueError(`fit: epochs must be a non-negative integer, got ${epochs}`);
  if (![0, 1, 2].includes(verbose)) throw new ValueError(`fit: verbose must be 0, 1 or 2, got ${verbose}`);
  let data = prepare(x, y, opts.sampleWeight);
  let val: Prepared | null = null;
  if (opts.validationData) {
    const [vx, vy, vw] = opts.validationData as readonly [DataInput, DataInput, DataInput?];
    val = prepare(vx, vy, vw ?? null);
  } else if (opts.validationSplit) {
    const split = opts.validationSplit;
    if (!(split > 0 && split < 1)) throw new ValueError(`fit: validationSplit must be in (0, 1), got ${split}`);
    // Keras takes the validation samples from the end, before any shuffling.
    const at = Math.floor(data.n * (1 - split));
    if (at === 0 || at === data.n) {
      throw new ValueError(`fit: validationSplit ${split} leaves ${at === 0 ? "no training" : "no validation"} samples out of ${data.n}`);
    }
    val = slicePrepared(data, at, data.n);
    data = slicePrepared(data, 0, at);
  }
  if (data.n === 0) throw new ValueError("fit: expected at least one training sample, got an empty array");
  const steps = Math.ceil(data.n / batchSize);
  const history = new History();
  const user = opts.callbacks ?? [];
  const cbs = new CallbackList([...(verbose ? [new ProgbarLogger()] : []), ...user, history]);
  const params = { verbose, epochs, steps };
  for (const c of cbs.callbacks) {
    c.setModel(model);
    c.setParams(params);
  }
  model.stopTraining = false;
  await cbs.run((c) => c.onTrainBegin());
  let epochLogs: Logs = {};
  for (let epoch = initialEpoch; epoch < epochs; epoch++) {
    model.resetMetrics();
    await cbs.run((c) => c.onEpochBegin(epoch));
    const order = opts.shuffle === false ? null : permutation(data.n);
    let logs: Logs = {};
    for (let step = 0; step < steps; step++) {
      await cbs.run((c) => c.onTrainBatchBegin(step));
      const start = step * batchSize;
      const end = Math.min(start + batchSize, data.n);
      const batch = order === null ? slicePrepared(data, start, end) : pickPrepared(data, order.subarray(start, end));
      logs = numbers(model.trainStep([batch.x, batch.y, batch.sw]));
      await cbs.run((c) => c.onTrainBatchEnd(step, logs));
      if (model.stopTraining) break;
    }
    epochLogs = { ...logs };
    if (val !== null && (epoch + 1) % validationFreq === 0) {
      const v = evaluatePrepared(model, val, opts.validationBatchSize ?? batchSize, 0, []);
      for (const [k, value] of Object.entries(v)) epochLogs[`val_${k}`] = value;
    }
    await cbs.run((c) => c.onEpochEnd(epoch, epochLogs));
    if (model.stopTraining) break;
    await yieldToEventLoop();
  }
  await cbs.run((c) => c.onTrainEnd(epochLogs));
  return history;
}

function pickPrepared(p: Prepared, index: Int32Array): Prepared {
  return {
    x: pick(p.x, index),
    y: p.y === null ? null : (pick(p.y, index) as Tensor),
    sw: p.sw === null ? null : (pick(p.sw, index) as Tensor),
    n: index.length,
  };
}

function evaluatePrepared(model: Model, data: Prepared, batchSize: number, verbose: number, callbacks: Callback[]): Logs {
  const steps = Math.max(1, Math.ceil(data.n / batchSize));
  const bar = verbose ? new ProgbarLogger() : null;
  const cbs = new CallbackList([...(bar ? [bar] : []), ...callbacks]);
  for (const c of cbs.callbacks) {
    c.setModel(model);
    c.setParams({ verbose, epochs: 1, steps });
  }
  bar?.startRun(steps);
  model.resetMetrics();
  cbs.runSync((c) => c.onTestBegin());
  let logs: Logs = {};
  for (let step = 0; step < steps; step++) {
    cbs.runSync((c) => c.onTestBatchBegin(step));
    const batch = slicePrepared(data, step * batchSize, Math.min((step + 1) * batchSize, data.n));
    logs = numbers(model.testStep([batch.x, batch.y, batch.sw]));
    cbs.runSync((c) => c.onTestBatchEnd(step, logs));
  }
  cbs.runSync((c) => c.onTestEnd(logs));
  return logs;
}

function shapeResult(model: Model, logs: Logs, returnDict: boolean | undefined): number | number[] | Logs {
  if (returnDict) return logs;
  const values = model.metricsNames.map((k) => logs[k]);
  return values.length === 1 ? values[0] : values;
}

/** Keras' evaluate. See Model.evaluate. */
export function evaluate(model: Model, x: DataInput, y: DataInput | null, opts: EvaluateArgs): number | number[] | Logs {
  checkCompiled(model, "evaluate");
  const batchSize = opts.batchSize ?? 32;
  checkPositiveInt("evaluate", "batchSize", batchSize);
  const data = prepare(x, y, opts.sampleWeight);
  if (data.n === 0) throw new ValueError("evaluate: expected at least one sample, got an empty array");
  const logs = evaluatePrepared(model, data, batchSize, opts.verbose ?? 1, opts.callbacks ?? []);
  return shapeResult(model, logs, opts.returnDict);
}

/** Keras' predict. See Model.predict. */
export function predict(model: Model, x: DataInput, opts: PredictArgs): Tensor | Tensor[] {
  const batchSize = opts.batchSize ?? 32;
  checkPositiveInt("predict", "batchSize", batchSize);
  const xs = expand1d(toInputs(x));
  const n = cardinality([["x", xs]]);
  const steps = Math.max(1, Math.ceil(n / batchSize));
  const verbose = opts.verbose ?? 0;
  const bar = verbose ? new ProgbarLogger() : null;
  const cbs = new CallbackList([...(bar ? [bar] : []), ...(opts.callbacks ?? [])]);
  for (const c of cbs.callbacks) {
    c.setModel(model);
    c.setParams({ verbose, epochs: 1, steps });
  }
  bar?.startRun(steps);
  cbs.runSync((c) => c.onPredictBegin());
  const outs: (Tensor | Tensor[])[] = [];
  for (let step = 0; step < steps; step++) {
    cbs.runSync((c) => c.onPredictBatchBegin(step));
    outs.push(model.predictStep(rows(xs, step * batchSize, Math.min((step + 1) * batchSize, n))));
    cbs.runSync((c) => c.onPredictBatchEnd(step));
  }
  cbs.runSync((c) => c.onPredictEnd());
  if (outs.length === 1) return outs[0];
  if (Array.isArray(outs[0])) return (outs[0] as Tensor[]).map((_, i) => cat(outs.map((o) => (o as Tensor[])[i]), 0));
  return cat(outs as Tensor[], 0);
}

function oneBatch(model: Model, op: "trainOnBatch" | "testOnBatch", x: DataInput, y: DataInput | null, opts: { sampleWeight?: DataInput | null; resetMetrics?: boolean; returnDict?: boolean }): number | number[] | Logs {
  checkCompiled(model, op);
  const data = prepare(x, y, opts.sampleWeight);
  if (opts.resetMetrics ?? true) model.resetMetrics();
  const step: StepData = [data.x, data.y, data.sw];
  const logs = numbers(op === "trainOnBatch" ? model.trainStep(step) : model.testStep(step));
  return shapeResult(model, logs, opts.returnDict);
}

/** Keras' `train_on_batch`: one training step on the given batch; the loss and metrics after it. */
export function trainOnBatch(model: Model, x: DataInput, y: DataInput | null, opts: { sampleWeight?: DataInput | null; resetMetrics?: boolean; returnDict?: boolean }): number | number[] | Logs {
  return oneBatch(model, "trainOnBatch", x, y, opts);
}

/** Keras' `test_on_batch`: the loss and metrics on the given batch, without training. */
export function testOnBatch(model: Model, x: DataInput, y: DataInput | null, opts: { sampleWeight?: DataInput | null; resetMetrics?: boolean; returnDict?: boolean }): number | number[] | Logs {
  return oneBatch(model, "testOnBatch", x, y, opts);
}

/** Keras' `predict_on_batch`: the model's outputs for one batch. */
export function predictOnBatch(model: Model, x: DataInput): Tensor | Tensor[] {
  return model.predictStep(expand1d(toInputs(x)));
}
