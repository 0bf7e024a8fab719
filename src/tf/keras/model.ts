// Keras' Model: a Layer that can be compiled and trained with fit/evaluate/predict. Subclass it
// and implement `call`, or build it from the functional API with `new Model({ inputs, outputs })`.
import { Tensor } from "../../tensor/tensor.js";
import { ValueError } from "../../tensor/errors.js";
import { zeros } from "../../tensor/creation.js";
import { noGrad } from "../../autograd/grad_mode.js";
import { GradientTape } from "../../autograd/tape.js";
import { Layer, fmtTuple, type CallArgs, type LayerArgs, type Shape } from "./layer.js";
import { FunctionalGraph, KerasTensor } from "./functional.js";
import { CompiledLoss, CompiledMetrics } from "./compile.js";
import type { LossLike } from "./losses.js";
import type { Metric, MetricLike } from "./metrics.js";
import { getOptimizer, type Optimizer } from "./optimizers.js";
import type { History, Logs } from "./callbacks.js";
import { printLine } from "./output.js";
import * as T from "./training.js";
import type { DataInput, Inputs } from "./data.js";

export interface ModelArgs extends LayerArgs {
  /** Functional API: the symbolic inputs (from `tf.keras.Input`). */
  inputs?: KerasTensor | KerasTensor[];
  /** Functional API: the symbolic outputs. */
  outputs?: KerasTensor | KerasTensor[];
}

export interface CompileArgs {
  /** An optimizer, or its name ('sgd', 'adam', 'rmsprop', 'adagrad'). */
  optimizer?: Optimizer | string;
  /** A Loss object, a function `(yTrue, yPred) => perSampleLoss`, or a name ('mse', 'mean_absolute_error', …). */
  loss?: LossLike | null;
  /** Metrics: names ('accuracy', 'mae', …), Metric objects or functions. */
  metrics?: MetricLike[] | MetricLike;
}

export interface SummaryArgs {
  lineLength?: number;
  /** Column ends, as fractions of the line or absolute positions. */
  positions?: number[];
  /** Receives each line (default: Keras' output, stdout). */
  printFn?: (line: string) => void;
}

/** One batch for trainStep/testStep: inputs, targets, per-sample weights. */
export type StepData = [Inputs, Tensor | null, Tensor | null];

interface ModelState {
  graph: FunctionalGraph | null;
  optimizer: Optimizer | null;
  compiledLoss: CompiledLoss | null;
  compiledMetrics: CompiledMetrics | null;
  stopTraining: boolean;
  history: History | null;
}

const STATE = Symbol("modelState");

/**
 * Saving and loading, installed by the io layer (io/keras_model.ts, loaded with `tf.keras.models`)
 * so that the dialect does not import the layer above it.
 */
export const savingHooks: {
  saveWeights?: (model: Model, path: string) => void;
  loadWeights?: (model: Model, file: string | Uint8Array) => void;
  save?: (model: Model, path: string) => void;
} = {};

function savingHook<K extends keyof typeof savingHooks>(name: K): NonNullable<(typeof savingHooks)[K]> {
  const f = savingHooks[name];
  if (!f) throw new ValueError(`Model.${name}: saving is not loaded; import duograd's tf namespace (tf.keras.models) to enable it`);
  return f as NonNullable<(typeof savingHooks)[K]>;
}

/**
 * A Keras model. Subclass it with `call(x, { training })`, fields holding layers and variables
 * (tracked in declaration order), or build it functionally from `tf.keras.Input`.
 *
 * @example
 * class LinearRegressionKeras extends tf.keras.Model {
 *   linear = new tf.keras.layers.Dense(1, { activation: null });
 *   call(x: tf.Tensor) { return this.linear(x); }
 * }
 * const model = new LinearRegressionKeras();
 * model.compile({ optimizer: new tf.keras.optimizers.SGD({ learningRate: 0.01 }), loss: "mae" });
 * const history = await model.fit(x, y, { epochs: 100, batchSize: 32 });
 */
export class Model extends Layer {
  declare private [STATE]: ModelState;

  constructor(args: ModelArgs = {}) {
    super(args);
    const functional = args.inputs !== undefined || args.outputs !== undefined;
    if (functional && (args.inputs === undefined || args.outputs === undefined)) {
      throw new ValueError("Model: the functional API needs both `inputs` and `outputs`");
    }
    Object.defineProperty(this, STATE, {
      value: {
        graph: functional ? new FunctionalGraph(args.inputs!, args.outputs!) : null,
        optimizer: null,
        compiledLoss: null,
        compiledMetrics: null,
        stopTraining: false,
        history: null,
      } satisfies ModelState,
      enumerable: false,
    });
    if (functional) this.built = true;
  }

  /** The computation: the functional graph, or what a subclass defines. */
  override call(inputs: any, kwargs?: CallArgs): any {
    const graph = this[STATE].graph;
    if (graph === null) throw new ValueError(`Model ${this.name}: when subclassing the \`Model\` class, you should implement a \`call()\` method`);
    const xs = Array.isArray(inputs) ? inputs : [inputs];
    const outs = graph.run(xs as Tensor[], kwargs ?? {});
    return graph.outputs.length === 1 ? outs[0] : outs;
  }

  protected override _extraLayers(): Layer[] {
    return this[STATE].graph?.layers ?? [];
  }

  /** Whether the model is a graph of layer calls (functional or Sequential): summary shows shapes. */
  protected _isGraphNetwork(): boolean {
    return this[STATE].graph !== null;
  }

  /** The direct sublayers (for a functional model, its input layers too). */
  get layers(): Layer[] {
    return this._childLayers();
  }

  /** The layer called `name`, or at position `index`. */
  getLayer(nameOrIndex: string | number): Layer {
    const ls = this.layers;
    if (typeof nameOrIndex === "number") {
      if (nameOrIndex < 0 || nameOrIndex >= ls.length) throw new ValueError(`Model.getLayer: was asked to retrieve layer at index ${nameOrIndex} but model only has ${ls.length} layers`);
      return ls[nameOrIndex];
    }
    const l = ls.find((x) => x.name === nameOrIndex);
    if (!l) throw new ValueError(`Model.getLayer: no such layer: ${nameOrIndex}. Existing layers are: ${ls.map((x) => x.name).join(", ")}`);
    return l;
  }

  /**
   * Builds the model for inputs of `inputShape` (batch size may be null) by calling it once on
   * zeros, in inference mode and without recording. A subclass may override it to create weights.
   */
  override build(inputShape: Shape | Shape[] | null): void {
    if (this.built || inputShape === null || inputShape === undefined) return;
    const make = (s: Shape) => zeros(s.map((d) => d ?? 1), { dtype: this.dtype });
    const x = Array.isArray(inputShape[0]) ? (inputShape as Shape[]).map(make) : make(inputShape as Shape);
    noGrad(() => this(x, { training: false }));
  }

  /** Whether `build` is Model's own (then a call builds the layers lazily instead of calling it). */
  protected _usesDefaultBuild(): boolean {
    return this.build === Model.prototype.build;
  }

  // As Keras, a model's default build is not run by a call: its layers build themselves.
  protected override _maybeBuild(inputs: unknown): void {
    if (this.built) return;
    if (this._usesDefaultBuild()) this.built = true;
    else super._maybeBuild(inputs);
  }

  /** Set to true (by a callback) to end `fit` after the current batch. */
  get stopTraining(): boolean {
    return this[STATE].stopTraining;
  }

  set stopTraining(v: boolean) {
    this[STATE].stopTraining = v;
  }

  /** The History of the last `fit`. */
  get history(): History | null {
    return this[STATE].history;
  }

  set history(h: History | null) {
    this[STATE].history = h;
  }

  get optimizer(): Optimizer | null {
    return this[STATE].optimizer;
  }

  set optimizer(o: Optimizer | null) {
    this[STATE].optimizer = o;
  }

  get compiledLoss(): CompiledLoss | null {
    return this[STATE].compiledLoss;
  }

  get compiledMetrics(): CompiledMetrics | null {
    return this[STATE].compiledMetrics;
  }

  /** A functional model's symbolic inputs (null for Sequential and subclassed models). */
  get inputs(): KerasTensor[] | null {
    return this[STATE].graph?.inputs ?? null;
  }

  /** A functional model's symbolic outputs (null for Sequential and subclassed models). */
  get outputs(): KerasTensor[] | null {
    return this[STATE].graph?.outputs ?? null;
  }

  /**
   * Writes the weights to a safetensors file, keyed by Keras variable paths (`dense_1/kernel`).
   * @example model.saveWeights("model.weights.safetensors");
   */
  saveWeights(path: string): void {
    savingHook("saveWeights")(this, path);
  }

  /**
   * Sets the weights from a file written by `saveWeights` (a path, or its bytes). The paths and
   * shapes must match; on error nothing changes.
   */
  loadWeights(file: string | Uint8Array): void {
    savingHook("loadWeights")(this, file);
  }

  /**
   * Saves a Sequential or functional model, architecture and weights, in one safetensors file
   * (the config in its metadata); `tf.keras.models.loadModel(path)` rebuilds it.
   * @example model.save("model.safetensors"); const again = tf.keras.models.loadModel("model.safetensors");
   */
  save(path: string): void {
    savingHook("save")(this, path);
  }

  /** Whether `compile` has been called. */
  get isCompiled(): boolean {
    return this[STATE].compiledLoss !== null;
  }

  /**
   * Configures training: optimizer, loss and metrics.
   * @example model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
   */
  compile(args: CompileArgs = {}): void {
    const s = this[STATE];
    const optimizer = getOptimizer(args.optimizer ?? "rmsprop");
    const loss = new CompiledLoss(args.loss);
    const metrics = new CompiledMetrics(args.metrics);
    s.optimizer = optimizer;
    s.compiledLoss = loss;
    s.compiledMetrics = metrics;
  }

  /** The loss tracker and the compiled metrics (after the first batch). */
  get metrics(): Metric[] {
    const s = this[STATE];
    if (!s.compiledLoss) return [];
    return [s.compiledLoss.tracker, ...(s.compiledMetrics?.metrics ?? [])];
  }

  /** The names of the logged values: `loss`, then the metrics. */
  get metricsNames(): string[] {
    return this.metrics.map((m) => m.name);
  }

  resetMetrics(): void {
    for (const m of this.metrics) m.resetState();
  }

  /** The current value of every metric, as numbers. */
  protected _metricLogs(): Logs {
    const logs: Logs = {};
    for (const m of this.metrics) logs[m.name] = m.result().item();
    return logs;
  }

  /**
   * One training step on a batch (Keras' `train_step`): forward pass in training mode on a tape,
   * compiled loss plus the layers' losses, gradients, optimizer update, metrics. Override it for
   * custom training; return the logs.
   */
  trainStep(data: StepData): Logs | Record<string, number | Tensor> {
    const [x, y, sampleWeight] = data;
    const s = this[STATE];
    const tape = new GradientTape();
    let yPred: Tensor | null = null;
    const loss = tape.record(() => {
      yPred = this(x, { training: true }) as Tensor;
      return s.compiledLoss!.call(y, yPred, sampleWeight, this.losses);
    });
    // Read after the forward pass: layers built lazily by the first call have their variables now.
    const vars = this.trainableVariables;
    if (vars.length > 0) {
      const grads = tape.gradient(loss, vars);
      const pairs = vars.map((v, i) => [grads[i], v] as const).filter(([g]) => g !== null);
      if (pairs.length) s.optimizer!.applyGradients(pairs);
    }
    if (y !== null) s.compiledMetrics!.updateState(y, yPred!, sampleWeight);
    return this._metricLogs();
  }

  /** One evaluation step (Keras' `test_step`): forward pass in inference mode, loss and metrics. */
  testStep(data: StepData): Logs | Record<string, number | Tensor> {
    const [x, y, sampleWeight] = data;
    const s = this[STATE];
    noGrad(() => {
      const yPred = this(x, { training: false }) as Tensor;
      s.compiledLoss!.call(y, yPred, sampleWeight, this.losses);
      if (y !== null) s.compiledMetrics!.updateState(y, yPred, sampleWeight);
    });
    return this._metricLogs();
  }

  /** One prediction step (Keras' `predict_step`). */
  predictStep(x: Inputs): Tensor | Tensor[] {
    return noGrad(() => this(x, { training: false }) as Tensor | Tensor[]);
  }

  /**
   * Trains for `epochs` passes over the data in batches of `batchSize` (default 32), printing
   * Keras' progress (verbose 1: a progress bar, 2: one line per epoch, 0: nothing), and resolves
   * to the History. 1-D inputs are treated as one feature ([n] → [n, 1]); `validationSplit` takes
   * the last fraction of the samples, before shuffling; shuffling uses the tf generator
   * (`tf.random.setSeed`). Yields to the event loop between epochs.
   * @example const history = await model.fit(x, y, { epochs: 100, batchSize: 32 }); history.history.loss
   */
  fit(x: DataInput, y?: DataInput | null, opts: T.FitArgs = {}): Promise<History> {
    return T.fit(this, x, y ?? null, opts);
  }

  /**
   * The loss (and metrics) on the data: a number, or `[loss, ...metrics]` when compiled with
   * metrics, or an object with `returnDict`.
   */
  evaluate(x: DataInput, y?: DataInput | null, opts: T.EvaluateArgs = {}): number | number[] | Logs {
    return T.evaluate(this, x, y ?? null, opts);
  }

  /** The model's outputs for every sample, computed in batches (default 32) in inference mode. */
  predict(x: DataInput, opts: T.PredictArgs = {}): Tensor | Tensor[] {
    return T.predict(this, x, opts);
  }

  /** One training step on one batch; returns the loss, or `[loss, ...metrics]`. */
  trainOnBatch(x: DataInput, y?: DataInput | null, opts: { sampleWeight?: DataInput | null; resetMetrics?: boolean; returnDict?: boolean } = {}): number | number[] | Logs {
    return T.trainOnBatch(this, x, y ?? null, opts);
  }

  /** One evaluation step on one batch; returns the loss, or `[loss, ...metrics]`. */
  testOnBatch(x: DataInput, y?: DataInput | null, opts: { sampleWeight?: DataInput | null; resetMetrics?: boolean; returnDict?: boolean } = {}): number | number[] | Logs {
    return T.testOnBatch(this, x, y ?? null, opts);
  }

  /** The model's outputs for one batch. */
  predictOnBatch(x: DataInput): Tensor | Tensor[] {
    return T.predictOnBatch(this, x);
  }

  /**
   * Prints Keras' summary table: each layer's name and type, output shape ("multiple" for a
   * subclassed model's layers, as Keras) and parameter count, then the totals.
   */
  summary(args: SummaryArgs = {}): void {
    if (!this.built) {
      throw new ValueError("This model has not yet been built. Build the model first by calling `build()` or by calling the model on a batch of data.");
    }
    const print = args.printFn ?? printLine;
    const lineLength = args.lineLength ?? 65;
    let positions = args.positions ?? [0.45, 0.85, 1.0];
    if (positions[positions.length - 1] <= 1) positions = positions.map((p) => Math.floor(lineLength * p));
    const row = (fields: string[]) => {
      let line = "";
      fields.forEach((f, i) => {
        if (i > 0) line = `${line.slice(0, -1)} `;
        line += f;
        line = line.slice(0, positions[i]);
        line += " ".repeat(Math.max(0, positions[i] - line.length));
      });
      print(line);
    };
    print(`Model: "${this.name}"`);
    print("_".repeat(lineLength));
    row(["Layer (type)", "Output Shape", "Param #"]);
    print("=".repeat(lineLength));
    const layers = this.layers;
    const graph = this._isGraphNetwork();
    layers.forEach((l, i) => {
      let shape = "multiple";
      if (graph) {
        const s = l.outputShape;
        const isInput = l.constructor.name === "InputLayer";
        const batchShape = isInput ? l.batchInputShape : null;
        if (batchShape) shape = `[${fmtTuple(batchShape)}]`;
        else if (s === null) shape = "?";
        else shape = Array.isArray(s[0]) ? `[${(s as Shape[]).map(fmtTuple).join(", ")}]` : fmtTuple(s as Shape);
      }
      row([`${l.name} (${l.constructor.name})`, shape, String(l.countParams())]);
      print((i === layers.length - 1 ? "=" : "_").repeat(lineLength));
    });
    const count = (vs: readonly Tensor[]) => vs.reduce((a, v) => a + v.numel(), 0);
    const trainable = count(this.trainableWeights);
    const nonTrainable = count(this.nonTrainableWeights);
    const fmt = (n: number) => n.toLocaleString("en-US");
    print(`Total params: ${fmt(trainable + nonTrainable)}`);
    print(`Trainable params: ${fmt(trainable)}`);
    print(`Non-trainable params: ${fmt(nonTrainable)}`);
    print("_".repeat(lineLength));
  }
}
