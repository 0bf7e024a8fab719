// Keras' functional API: `tf.keras.Input` gives a symbolic tensor; calling layers on symbolic
// tensors records a graph of layer calls that `tf.keras.Model({ inputs, outputs })` replays.
import { Tensor } from "../../tensor/tensor.js";
import type { DType } from "../../tensor/dtype.js";
import { ValueError } from "../../tensor/errors.js";
import { zeros } from "../../tensor/creation.js";
import { noGrad } from "../../autograd/grad_mode.js";
import { Layer, fmtTuple, symbolicHooks, type CallArgs, type Shape } from "./layer.js";
import { uniqueName } from "./names.js";

let nextId = 0;

/** One call of a layer on symbolic inputs: what the functional model replays. */
interface LayerCall {
  readonly id: number;
  readonly layer: Layer;
  /** The symbolic inputs, in the structure the layer was called with. */
  readonly inputs: KerasTensor | KerasTensor[];
  readonly kwargs: CallArgs;
  outputs: KerasTensor[];
  readonly multiple: boolean;
}

/**
 * A symbolic tensor of the functional API: a shape (null for the batch size) and a dtype, plus
 * the layer call that produced it.
 */
export class KerasTensor {
  readonly id = nextId++;
  constructor(
    readonly shape: Shape,
    readonly dtype: DType,
    /** The call that made it, or null for an input. */
    readonly source: LayerCall | null,
    readonly inputLayer: InputLayer | null = null,
  ) {}

  get ndim(): number {
    return this.shape.length;
  }

  toString(): string {
    return `<KerasTensor: shape=${fmtTuple(this.shape)} dtype=${this.dtype}>`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

function isSymbolic(x: unknown): boolean {
  return x instanceof KerasTensor || (Array.isArray(x) && x.length > 0 && x.some((e) => e instanceof KerasTensor));
}

function symbolicList(x: KerasTensor | KerasTensor[]): KerasTensor[] {
  return Array.isArray(x) ? x : [x];
}

/** Runs `layer` once on zeros shaped like the symbolic inputs to learn its output shapes. */
function symbolicCall(layer: Layer, inputs: unknown, kwargs: CallArgs): KerasTensor | KerasTensor[] {
  const ins = inputs as KerasTensor | KerasTensor[];
  const list = symbolicList(ins);
  if (!list.every((k) => k instanceof KerasTensor)) throw new ValueError(`${layer.name}: cannot mix symbolic (tf.keras.Input) and concrete inputs in one call`);
  const dummy = (k: KerasTensor) => zeros(k.shape.map((d) => d ?? 1), { dtype: k.dtype });
  const concrete = Array.isArray(ins) ? ins.map(dummy) : dummy(ins);
  const out = noGrad(() => layer(concrete, { ...kwargs, training: false })) as unknown;
  const unknownBatch = list[0].shape[0] === null;
  const call: LayerCall = { id: nextId++, layer, inputs: ins, kwargs, outputs: [], multiple: Array.isArray(out) };
  const toSym = (t: unknown): KerasTensor => {
    if (!(t instanceof Tensor)) throw new ValueError(`${layer.name}: a layer used in the functional API must return tensors`);
    return new KerasTensor([unknownBatch ? null : t.shape[0], ...t.shape.slice(1)], t.dtype, call);
  };
  call.outputs = Array.isArray(out) ? out.map(toSym) : [toSym(out)];
  return call.multiple ? call.outputs : call.outputs[0];
}

symbolicHooks.isSymbolic = isSymbolic;
symbolicHooks.call = symbolicCall;

export interface InputLayerArgs {
  /** The shape of one sample (without the batch dimension). */
  inputShape?: Shape;
  batchSize?: number | null;
  batchInputShape?: Shape;
  dtype?: DType;
  name?: string;
}

/** The layer behind `tf.keras.Input`: passes its input through. */
export class InputLayer extends Layer {
  readonly output: KerasTensor;

  constructor(args: InputLayerArgs = {}) {
    const batchShape = args.batchInputShape ?? (args.inputShape ? [args.batchSize ?? null, ...args.inputShape] : null);
    if (batchShape === null) throw new ValueError("InputLayer: give an inputShape (or batchInputShape)");
    super({ name: args.name ?? uniqueName("input", false), dtype: args.dtype, batchInputShape: batchShape });
    this.output = new KerasTensor(batchShape, this.dtype, null, this);
    this.built = true;
  }
}

/**
 * A symbolic input for the functional API (TF's `tf.keras.Input(shape=...)`).
 * @example
 * const inputs = tf.keras.Input({ shape: [4] });
 * const outputs = new tf.keras.layers.Dense(3)(inputs);
 * const model = new tf.keras.Model({ inputs, outputs });
 */
export function Input(opts: { shape?: Shape; batchSize?: number | null; name?: string; dtype?: DType; batchShape?: Shape }): KerasTensor {
  return new InputLayer({ inputShape: opts.shape, batchSize: opts.batchSize, batchInputShape: opts.batchShape, name: opts.name, dtype: opts.dtype }).output;
}

/** A recorded graph from inputs to outputs, replayed on concrete tensors. */
export class FunctionalGraph {
  readonly inputs: KerasTensor[];
  readonly outputs: KerasTensor[];
  private readonly calls: LayerCall[];
  /** The layers in execution order, input layers first. */
  readonly layers: Layer[];

  constructor(inputs: KerasTensor | KerasTensor[], outputs: KerasTensor | KerasTensor[]) {
    this.inputs = symbolicList(inputs);
    this.outputs = symbolicList(outputs);
    for (const k of [...this.inputs, ...this.outputs]) {
      if (!(k instanceof KerasTensor)) throw new ValueError("Model: inputs and outputs must be symbolic tensors from tf.keras.Input and layer calls");
    }
    for (const k of this.inputs) {
      if (k.source !== null) throw new ValueError("Model: every input must come from tf.keras.Input (not from a layer call)");
    }
    const calls = new Set<LayerCall>();
    const stack = [...this.outputs];
    const reached = new Set<KerasTensor>();
    while (stack.length) {
      const k = stack.pop()!;
      if (reached.has(k)) continue;
      reached.add(k);
      if (k.source === null) {
        if (!this.inputs.includes(k)) throw new ValueError(`Model: the graph reaches an input that is not in \`inputs\` (${k})`);
        continue;
      }
      calls.add(k.source);
      stack.push(...symbolicList(k.source.inputs));
    }
    this.calls = Array.from(calls).sort((a, b) => a.id - b.id);
    const layers: Layer[] = this.inputs.map((k) => k.inputLayer!).filter((l) => l !== null);
    for (const c of this.calls) if (!layers.includes(c.layer)) layers.push(c.layer);
    this.layers = layers;
  }

  /** Runs the graph on concrete inputs (one tensor per input, in order). */
  run(values: readonly Tensor[], kwargs: CallArgs): Tensor[] {
    if (values.length !== this.inputs.length) {
      throw new ValueError(`Model: expected ${this.inputs.length} input(s), got ${values.length}`);
    }
    const env = new Map<KerasTensor, Tensor>();
    this.inputs.forEach((k, i) => env.set(k, values[i]));
    const get = (k: KerasTensor) => env.get(k)!;
    for (const c of this.calls) {
      const args = Array.isArray(c.inputs) ? c.inputs.map(get) : get(c.inputs);
      const out = c.layer(args, { ...c.kwargs, training: kwargs.training }) as Tensor | Tensor[];
      const outs = Array.isArray(out) ? out : [out];
      c.outputs.forEach((k, i) => env.set(k, outs[i]));
    }
    return this.outputs.map(get);
  }
}
