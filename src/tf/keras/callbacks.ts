// Keras' callbacks: hooks around training, evaluation and prediction. fit always adds a History
// (last) and, when verbose, a ProgbarLogger (first), as Keras' CallbackList does.
import type { Tensor } from "../../tensor/tensor.js";
import { ValueError } from "../../tensor/errors.js";
import { warn } from "../../ops/warn.js";
import type { Model } from "./model.js";
import { Progbar } from "./progbar.js";
import { printLine } from "./output.js";

/** Logs passed to callbacks: metric names to values (`loss`, `val_loss`, `accuracy`, …). */
export type Logs = Record<string, number>;

/** fit's parameters as callbacks see them (`this.params`). */
export interface CallbackParams {
  verbose: number;
  epochs: number;
  steps: number;
}

/**
 * Base class of callbacks: override the hooks you need. `this.model` is the model being
 * trained; setting `this.model.stopTraining = true` ends fit after the current epoch.
 * @example
 * class PrintLoss extends tf.keras.callbacks.Callback {
 *   onEpochEnd(epoch: number, logs?: Logs) { console.log(epoch, logs?.loss); }
 * }
 */
export class Callback {
  model: Model | null = null;
  params: CallbackParams = { verbose: 0, epochs: 0, steps: 0 };

  setModel(model: Model): void {
    this.model = model;
  }
  setParams(params: CallbackParams): void {
    this.params = params;
  }
  onTrainBegin(_logs?: Logs): void | Promise<void> {}
  onTrainEnd(_logs?: Logs): void | Promise<void> {}
  onEpochBegin(_epoch: number, _logs?: Logs): void | Promise<void> {}
  onEpochEnd(_epoch: number, _logs?: Logs): void | Promise<void> {}
  /** Keras' older name for the train batch hooks (called by the default onTrainBatchBegin/End). */
  onBatchBegin(_batch: number, _logs?: Logs): void | Promise<void> {}
  onBatchEnd(_batch: number, _logs?: Logs): void | Promise<void> {}
  onTrainBatchBegin(batch: number, logs?: Logs): void | Promise<void> {
    return this.onBatchBegin(batch, logs);
  }
  onTrainBatchEnd(batch: number, logs?: Logs): void | Promise<void> {
    return this.onBatchEnd(batch, logs);
  }
  onTestBegin(_logs?: Logs): void {}
  onTestEnd(_logs?: Logs): void {}
  onTestBatchBegin(_batch: number, _logs?: Logs): void {}
  onTestBatchEnd(_batch: number, _logs?: Logs): void {}
  onPredictBegin(_logs?: Logs): void {}
  onPredictEnd(_logs?: Logs): void {}
  onPredictBatchBegin(_batch: number, _logs?: Logs): void {}
  onPredictBatchEnd(_batch: number, _logs?: Logs): void {}
}

/** Records every epoch's logs: `history.history.loss[epoch]`, `history.epoch`, `history.params`. */
export class History extends Callback {
  history: Record<string, number[]> = {};
  epoch: number[] = [];

  override onTrainBegin(): void {
    this.epoch = [];
  }

  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) (this.history[k] ??= []).push(v);
    if (this.model) this.model.history = this;
  }
}

/** Prints `Epoch 1/100` and the progress bar (fit's `verbose`: 1 a bar, 2 one line per epoch). */
export class ProgbarLogger extends Callback {
  private bar: Progbar | null = null;
  private seen = 0;
  private target: number | null = null;

  private verbose(): number {
    return this.params.verbose;
  }

  override onTrainBegin(): void {
    this.target = this.params.steps;
  }

  override onEpochBegin(epoch: number): void {
    this.seen = 0;
    this.bar = new Progbar(this.target, { verbose: this.verbose() });
    if (this.verbose() && this.params.epochs > 1) printLine(`Epoch ${epoch + 1}/${this.params.epochs}`);
  }

  override onTrainBatchEnd(batch: number, logs: Logs = {}): void {
    this.seen = batch + 1;
    this.bar?.update(this.seen, Object.entries(logs));
  }

  override onEpochEnd(_epoch: number, logs: Logs = {}): void {
    this.bar?.update(this.seen, Object.entries(logs), true);
  }

  /** evaluate/predict: a bar over their own steps (`this.target` set by the caller). */
  startRun(steps: number): void {
    this.seen = 0;
    this.bar = new Progbar(steps, { verbose: this.verbose() });
  }

  override onTestBatchEnd(batch: number, logs: Logs = {}): void {
    this.seen = batch + 1;
    this.bar?.update(this.seen, Object.entries(logs));
  }

  override onTestEnd(logs: Logs = {}): void {
    this.bar?.update(this.seen, Object.entries(logs), true);
  }

  override onPredictBatchEnd(batch: number): void {
    this.seen = batch + 1;
    this.bar?.update(this.seen);
  }

  override onPredictEnd(): void {
    this.bar?.update(this.seen, [], true);
  }
}

export interface EarlyStoppingArgs {
  /** The logged quantity watched (default "val_loss"). */
  monitor?: string;
  /** A change smaller than this is no improvement. */
  minDelta?: number;
  /** Epochs without improvement before stopping. */
  patience?: number;
  verbose?: number;
  /** "min", "max", or "auto" (max for accuracy-like names, else min). */
  mode?: "auto" | "min" | "max";
  /** Training stops if the monitored value does not beat this. */
  baseline?: number | null;
  /** Put back the weights of the best epoch when stopping. */
  restoreBestWeights?: boolean;
  /** Epochs to wait before watching (warm-up). */
  startFromEpoch?: number;
}

/**
 * Stops training when the monitored quantity has stopped improving for `patience` epochs, as
 * Keras' EarlyStopping.
 * @example new tf.keras.callbacks.EarlyStopping({ monitor: "loss", patience: 3 })
 */
export class EarlyStopping extends Callback {
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  readonly verbose: number;
  readonly mode: "min" | "max";
  readonly baseline: number | null;
  readonly restoreBestWeights: boolean;
  readonly startFromEpoch: number;
  wait = 0;
  stoppedEpoch = 0;
  best = Infinity;
  bestEpoch = 0;
  private bestWeights: Tensor[] | null = null;

  constructor(args: EarlyStoppingArgs = {}) {
    super();
    this.monitor = args.monitor ?? "val_loss";
    this.patience = args.patience ?? 0;
    this.verbose = args.verbose ?? 0;
    this.baseline = args.baseline ?? null;
    this.restoreBestWeights = args.restoreBestWeights ?? false;
    this.startFromEpoch = args.startFromEpoch ?? 0;
    let mode = args.mode ?? "auto";
    if (!["auto", "min", "max"].includes(mode)) {
      warn(`EarlyStopping mode ${mode} is unknown, fallback to auto mode.`);
      mode = "auto";
    }
    if (mode === "auto") mode = /acc|auc|fmeasure/.test(this.monitor) ? "max" : "min";
    this.mode = mode;
    this.minDelta = Math.abs(args.minDelta ?? 0);
    if (this.patience < 0) throw new ValueError(`EarlyStopping: patience must be >= 0, got ${this.patience}`);
  }

  private improved(current: number, reference: number): boolean {
    return this.mode === "min" ? current + this.minDelta < reference : current - this.minDelta > reference;
  }

  override onTrainBegin(): void {
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.best = this.mode === "min" ? Infinity : -Infinity;
    this.bestWeights = null;
    this.bestEpoch = 0;
  }

  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    const current = logs[this.monitor];
    if (current === undefined) {
      warn(`Early stopping conditioned on metric \`${this.monitor}\` which is not available. Available metrics are: ${Object.keys(logs).join(",")}`);
      return;
    }
    if (epoch < this.startFromEpoch) return;
    const model = this.model!;
    if (this.restoreBestWeights && this.bestWeights === null) this.bestWeights = model.getWeights();
    this.wait += 1;
    if (this.improved(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) this.bestWeights = model.getWeights();
      if (this.baseline === null || this.improved(current, this.baseline)) this.wait = 0;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      model.stopTraining = true;
      if (this.restoreBestWeights && this.bestWeights !== null) {
        if (this.verbose > 0) printLine(`Restoring model weights from the end of the best epoch: ${this.bestEpoch + 1}.`);
        model.setWeights(this.bestWeights);
      }
    }
  }

  override onTrainEnd(): void {
    if (this.stoppedEpoch > 0 && this.verbose > 0) printLine(`Epoch ${this.stoppedEpoch + 1}: early stopping`);
  }
}

type Hook<A extends unknown[]> = ((...args: A) => void | Promise<void>) | undefined;

/** The functions a LambdaCallback calls. */
export interface LambdaCallbackArgs {
  onEpochBegin?: Hook<[number, Logs?]>;
  onEpochEnd?: Hook<[number, Logs?]>;
  onBatchBegin?: Hook<[number, Logs?]>;
  onBatchEnd?: Hook<[number, Logs?]>;
  onTrainBegin?: Hook<[Logs?]>;
  onTrainEnd?: Hook<[Logs?]>;
}

/**
 * A callback from functions (Keras' LambdaCallback).
 * @example new tf.keras.callbacks.LambdaCallback({ onEpochEnd: (epoch, logs) => console.log(logs?.loss) })
 */
export class LambdaCallback extends Callback {
  private readonly fns: LambdaCallbackArgs;
  constructor(fns: LambdaCallbackArgs = {}) {
    super();
    this.fns = fns;
  }
  override onEpochBegin(epoch: number, logs?: Logs) {
    return this.fns.onEpochBegin?.(epoch, logs);
  }
  override onEpochEnd(epoch: number, logs?: Logs) {
    return this.fns.onEpochEnd?.(epoch, logs);
  }
  override onBatchBegin(batch: number, logs?: Logs) {
    return this.fns.onBatchBegin?.(batch, logs);
  }
  override onBatchEnd(batch: number, logs?: Logs) {
    return this.fns.onBatchEnd?.(batch, logs);
  }
  override onTrainBegin(logs?: Logs) {
    return this.fns.onTrainBegin?.(logs);
  }
  override onTrainEnd(logs?: Logs) {
    return this.fns.onTrainEnd?.(logs);
  }
}

export interface ModelCheckpointArgs {
  /** The logged value that decides the best epoch (`val_loss` by default). */
  monitor?: string;
  verbose?: number;
  /** Save only when `monitor` improves on the best so far. */
  saveBestOnly?: boolean;
  /** `model.saveWeights` instead of `model.save` (subclassed models can only save weights). */
  saveWeightsOnly?: boolean;
  mode?: "auto" | "min" | "max";
  /** A value the monitored quantity must beat before the first save (Keras' initial_value_threshold). */
  initialValueThreshold?: number;
}

/** Python's `{:.5f}` of a float, which writes infinities as `inf`. */
const f5 = (v: number): string => (Number.isFinite(v) ? v.toFixed(5) : v > 0 ? "inf" : "-inf");

// Python's str.format for the keys Keras passes: {epoch:02d}, {val_loss:.2f}, {loss}.
function formatPath(template: string, values: Logs): string {
  return template.replace(/\{(\w+)(?::([^}]*))?\}/g, (_m, key: string, spec: string | undefined) => {
    const v = values[key];
    if (v === undefined) {
      throw new ValueError(`ModelCheckpoint: the file path "${template}" names {${key}}, which is not among the logged values (${Object.keys(values).join(", ")})`);
    }
    const int = spec ? /^0?(\d*)d$/.exec(spec) : null;
    if (int) return String(Math.trunc(v)).padStart(Number(int[1] || 0), spec!.startsWith("0") ? "0" : " ");
    const fixed = spec ? /^\.(\d+)f$/.exec(spec) : null;
    if (fixed) return v.toFixed(Number(fixed[1]));
    return String(v);
  });
}

/**
 * Saves the model (or its weights) at the end of every epoch, or only when the monitored value
 * improves, as Keras' ModelCheckpoint with `save_freq="epoch"`. The path may hold Python-style
 * fields filled from the epoch (1-based) and the logs.
 * @example
 * new tf.keras.callbacks.ModelCheckpoint("ckpt-{epoch:02d}-{val_loss:.2f}.safetensors", { saveBestOnly: true, saveWeightsOnly: true })
 */
export class ModelCheckpoint extends Callback {
  readonly filepath: string;
  readonly monitor: string;
  readonly verbose: number;
  readonly saveBestOnly: boolean;
  readonly saveWeightsOnly: boolean;
  readonly mode: "min" | "max";
  best: number;

  constructor(filepath: string, args: ModelCheckpointArgs = {}) {
    super();
    this.filepath = filepath;
    this.monitor = args.monitor ?? "val_loss";
    this.verbose = args.verbose ?? 0;
    this.saveBestOnly = args.saveBestOnly ?? false;
    this.saveWeightsOnly = args.saveWeightsOnly ?? false;
    let mode = args.mode ?? "auto";
    if (!["auto", "min", "max"].includes(mode)) {
      warn(`ModelCheckpoint mode ${mode} is unknown, fallback to auto mode.`);
      mode = "auto";
    }
    if (mode === "auto") mode = /acc/.test(this.monitor) || this.monitor.startsWith("fmeasure") ? "max" : "min";
    this.mode = mode;
    this.best = args.initialValueThreshold ?? (this.mode === "min" ? Infinity : -Infinity);
  }

  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    const path = formatPath(this.filepath, { epoch: epoch + 1, ...logs });
    if (this.saveBestOnly) {
      const current = logs[this.monitor];
      if (current === undefined) {
        warn(`Can save best model only with ${this.monitor} available, skipping.`);
        return;
      }
      const better = this.mode === "min" ? current < this.best : current > this.best;
      if (!better) {
        if (this.verbose > 0) printLine(`\nEpoch ${epoch + 1}: ${this.monitor} did not improve from ${f5(this.best)}`);
        return;
      }
      if (this.verbose > 0) {
        printLine(`\nEpoch ${epoch + 1}: ${this.monitor} improved from ${f5(this.best)} to ${f5(current)}, saving model to ${path}`);
      }
      this.best = current;
    } else if (this.verbose > 0) printLine(`\nEpoch ${epoch + 1}: saving model to ${path}`);
    if (this.saveWeightsOnly) this.model!.saveWeights(path);
    else this.model!.save(path);
  }
}
