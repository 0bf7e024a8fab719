// Keras model architectures as JSON configs (Keras' `get_config` / `from_config`, in Keras 2's
// layout: `{ class_name, config }`, snake_case arguments, functional models as layers with
// `inbound_nodes`), and the models rebuilt from them. Only the built-in layers below and
// Sequential/functional models are supported: a subclassed model's architecture is its code.
import { ValueError } from "../tensor/errors.js";
import type { DType } from "../tensor/dtype.js";
import { Layer, type LayerArgs, type Shape } from "../tf/keras/layer.js";
import { Model } from "../tf/keras/model.js";
import { Sequential } from "../tf/keras/sequential.js";
import { Input, InputLayer, KerasTensor } from "../tf/keras/functional.js";
import { Activation, Dense, Dropout, Flatten, Reshape } from "../tf/keras/layers/core.js";
import { AveragePooling2D, Conv2D, GlobalAveragePooling2D, GlobalMaxPooling2D, MaxPooling2D } from "../tf/keras/layers/conv.js";
import { BatchNormalization, Embedding, LayerNormalization } from "../tf/keras/layers/normalization.js";
import { activationName, getActivation, type ActivationFn } from "../tf/keras/activations.js";

/** A serialised layer or model: `{ class_name: "Dense", config: { units: 3, … } }`. */
export interface KerasObjectConfig {
  class_name: string;
  config: Record<string, unknown>;
  /** In a functional model's layer list: the layer's name and the calls that feed it. */
  name?: string;
  inbound_nodes?: InboundNode[];
}

/** One call of a layer: its inputs as [layer name, node index, tensor index, call kwargs]. */
export type InboundNode = [string, number, number, Record<string, unknown>][];

type Cfg = Record<string, unknown>;

interface Codec {
  cls: abstract new (...args: never[]) => Layer;
  save(layer: Layer): Cfg;
  load(c: Cfg, base: LayerArgs): Layer;
}

function actName(layer: Layer, f: ActivationFn): string {
  const name = activationName(f);
  let known = false;
  try {
    known = getActivation(name) === f;
  } catch {
    known = false;
  }
  if (!known) throw new ValueError(`model.save: layer '${layer.name}' uses a custom activation function (${name}), which cannot be saved by name; use a built-in activation or save the weights only`);
  return name;
}

const num = (c: Cfg, k: string): number => c[k] as number;
const bool = (c: Cfg, k: string, dflt: boolean): boolean => (c[k] === undefined ? dflt : (c[k] as boolean));

// The built-in layers, each with what its constructor needs to rebuild it (initializers and
// regularizers are not kept: the weights are loaded afterwards).
const CODECS: Record<string, Codec> = {
  Dense: {
    cls: Dense,
    save: (l) => {
      const d = l as Dense;
      return { units: d.units, activation: actName(d, d.activation), use_bias: d.useBias };
    },
    load: (c, base) => new Dense(num(c, "units"), { ...base, activation: c.activation as string, useBias: bool(c, "use_bias", true) }),
  },
  Activation: {
    cls: Activation,
    save: (l) => ({ activation: actName(l, (l as Activation).activation) }),
    load: (c, base) => new Activation(c.activation as string, base),
  },
  Dropout: {
    cls: Dropout,
    save: (l) => ({ rate: (l as Dropout).rate, noise_shape: (l as Dropout).noiseShape }),
    load: (c, base) => new Dropout(num(c, "rate"), { ...base, noiseShape: (c.noise_shape as (number | null)[] | null) ?? undefined }),
  },
  Flatten: { cls: Flatten, save: () => ({}), load: (_, base) => new Flatten(base) },
  Reshape: {
    cls: Reshape,
    save: (l) => ({ target_shape: (l as Reshape).targetShape.slice() }),
    load: (c, base) => new Reshape(c.target_shape as number[], base),
  },
  Conv2D: {
    cls: Conv2D,
    save: (l) => {
      const v = l as Conv2D;
      return {
        filters: v.filters, kernel_size: v.kernelSize.slice(), strides: v.strides.slice(), padding: v.padding, data_format: v.dataFormat,
        dilation_rate: v.dilationRate.slice(), activation: actName(v, v.activation), use_bias: v.useBias,
      };
    },
    load: (c, base) =>
      new Conv2D(num(c, "filters"), c.kernel_size as number[], {
        ...base, strides: c.strides as number[], padding: c.padding as "valid" | "same", dataFormat: c.data_format as "channels_last",
        dilationRate: c.dilation_rate as number[], activation: c.activation as string, useBias: bool(c, "use_bias", true),
      }),
  },
  MaxPooling2D: {
    cls: MaxPooling2D,
    save: (l) => poolConfig(l as MaxPooling2D),
    load: (c, base) => new MaxPooling2D(c.pool_size as number[], { ...base, strides: c.strides as number[], padding: c.padding as "valid", dataFormat: c.data_format as "channels_last" }),
  },
  AveragePooling2D: {
    cls: AveragePooling2D,
    save: (l) => poolConfig(l as AveragePooling2D),
    load: (c, base) => new AveragePooling2D(c.pool_size as number[], { ...base, strides: c.strides as number[], padding: c.padding as "valid", dataFormat: c.data_format as "channels_last" }),
  },
  GlobalAveragePooling2D: {
    cls: GlobalAveragePooling2D,
    save: (l) => ({ data_format: (l as GlobalAveragePooling2D).dataFormat, keepdims: (l as GlobalAveragePooling2D).keepdims }),
    load: (c, base) => new GlobalAveragePooling2D({ ...base, dataFormat: c.data_format as "channels_last", keepdims: bool(c, "keepdims", false) }),
  },
  GlobalMaxPooling2D: {
    cls: GlobalMaxPooling2D,
    save: (l) => ({ data_format: (l as GlobalMaxPooling2D).dataFormat }),
    load: (c, base) => new GlobalMaxPooling2D({ ...base, dataFormat: c.data_format as "channels_last" }),
  },
  BatchNormalization: {
    cls: BatchNormalization,
    save: (l) => {
      const b = l as BatchNormalization;
      return { axis: b.axis, momentum: b.momentum, epsilon: b.epsilon, center: b.center, scale: b.scale };
    },
    load: (c, base) =>
      new BatchNormalization({ ...base, axis: num(c, "axis"), momentum: num(c, "momentum"), epsilon: num(c, "epsilon"), center: bool(c, "center", true), scale: bool(c, "scale", true) }),
  },
  LayerNormalization: {
    cls: LayerNormalization,
    save: (l) => {
      const b = l as LayerNormalization;
      return { axis: typeof b.axis === "number" ? b.axis : b.axis.slice(), epsilon: b.epsilon, center: b.center, scale: b.scale };
    },
    load: (c, base) => new LayerNormalization({ ...base, axis: c.axis as number | number[], epsilon: num(c, "epsilon"), center: bool(c, "center", true), scale: bool(c, "scale", true) }),
  },
  Embedding: {
    cls: Embedding,
    save: (l) => ({ input_dim: (l as Embedding).inputDim, output_dim: (l as Embedding).outputDim }),
    load: (c, base) => new Embedding(num(c, "input_dim"), num(c, "output_dim"), base),
  },
};

function poolConfig(p: MaxPooling2D | AveragePooling2D): Cfg {
  return { pool_size: p.poolSize.slice(), strides: p.strides.slice(), padding: p.padding, data_format: p.dataFormat };
}

const baseConfig = (l: Layer): Cfg => ({ name: l.name, trainable: l.trainable, dtype: l.dtype });

function baseArgs(c: Cfg): LayerArgs {
  const a: LayerArgs = {};
  if (typeof c.name === "string") a.name = c.name;
  if (typeof c.trainable === "boolean") a.trainable = c.trainable;
  if (typeof c.dtype === "string") a.dtype = c.dtype as DType;
  return a;
}

/** The class name a config uses for `layer` ("Functional" for a functional model). */
function className(layer: Layer): string {
  if (layer instanceof Sequential) return "Sequential";
  if (layer instanceof InputLayer) return "InputLayer";
  if (layer instanceof Model && layer.inputs !== null) return "Functional";
  for (const [name, codec] of Object.entries(CODECS)) if (layer.constructor === codec.cls) return name;
  const kind = layer instanceof Model ? "subclassed model" : "layer";
  throw new ValueError(
    `model.save: cannot save the architecture of ${kind} '${layer.name}' (${layer.constructor.name}): model.save supports Sequential and functional models built from ` +
      `${["InputLayer", ...Object.keys(CODECS)].join(", ")}; for other models use saveWeights and rebuild the model in code`,
  );
}

/**
 * The config of a Sequential or functional model, or of a built-in layer.
 * @example JSON.stringify(modelToConfig(model)) // {"class_name":"Sequential","config":{"name":…,"layers":[…]}}
 */
export function modelToConfig(layer: Layer): KerasObjectConfig {
  const cls = className(layer);
  if (cls === "Sequential") {
    const seq = layer as Sequential;
    const layers: KerasObjectConfig[] = [];
    const shape = seq.buildInputShape;
    if (shape !== null) layers.push({ class_name: "InputLayer", config: { batch_input_shape: shape.slice(), dtype: seq.dtype, name: `${seq.name}_input` } });
    for (const l of seq.layers) layers.push(modelToConfig(l));
    return { class_name: cls, config: { ...baseConfig(seq), layers } };
  }
  if (cls === "Functional") return functionalConfig(layer as Model);
  if (cls === "InputLayer") {
    const il = layer as InputLayer;
    return { class_name: cls, config: { batch_input_shape: il.batchInputShape?.slice() ?? null, dtype: il.dtype, name: il.name } };
  }
  return { class_name: cls, config: { ...baseConfig(layer), ...CODECS[cls].save(layer) } };
}

type Call = NonNullable<KerasTensor["source"]>;

function functionalConfig(model: Model): KerasObjectConfig {
  const inputs = model.inputs!;
  const outputs = model.outputs!;
  // The layer calls between inputs and outputs, in the order they were made.
  const calls = new Set<Call>();
  const stack = [...outputs];
  while (stack.length) {
    const k = stack.pop()!;
    if (k.source === null || calls.has(k.source)) continue;
    calls.add(k.source);
    stack.push(...(Array.isArray(k.source.inputs) ? k.source.inputs : [k.source.inputs]));
  }
  const ordered = [...calls].sort((a, b) => a.id - b.id);
  const where = new Map<KerasTensor, [string, number, number]>();
  for (const k of inputs) where.set(k, [k.inputLayer!.name, 0, 0]);
  const nodes = new Map<Layer, InboundNode[]>();
  for (const c of ordered) {
    const list = nodes.get(c.layer) ?? [];
    const ins = Array.isArray(c.inputs) ? c.inputs : [c.inputs];
    list.push(ins.map((k) => [...where.get(k)!, jsonKwargs(c.kwargs)] as [string, number, number, Record<string, unknown>]));
    c.outputs.forEach((k, i) => where.set(k, [c.layer.name, list.length - 1, i]));
    nodes.set(c.layer, list);
  }
  const names = new Set<string>();
  const layers: KerasObjectConfig[] = [];
  for (const l of model.layers) {
    if (names.has(l.name)) throw new ValueError(`model.save: two layers of model '${model.name}' are named '${l.name}'; layer names must be unique to save a functional model`);
    names.add(l.name);
    layers.push({ ...modelToConfig(l), name: l.name, inbound_nodes: nodes.get(l) ?? [] });
  }
  return {
    class_name: "Functional",
    config: {
      name: model.name, trainable: model.trainable, layers,
      input_layers: inputs.map((k) => where.get(k)!),
      output_layers: outputs.map((k) => where.get(k)!),
    },
  };
}

function jsonKwargs(kwargs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kwargs)) {
    if (v === undefined) continue;
    if (v === null || ["number", "string", "boolean"].includes(typeof v)) out[k] = v;
    else throw new ValueError(`model.save: a layer call's argument '${k}' is not a plain value and cannot be saved`);
  }
  return out;
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

/**
 * Builds the model (or layer) a config describes: layers with their saved names and settings,
 * Sequential models built for their saved input shape, functional graphs reconnected.
 * @example const model = modelFromConfig(JSON.parse(text)) as tf.keras.Sequential;
 */
export function modelFromConfig(cfg: KerasObjectConfig): Layer {
  if (!isObj(cfg) || typeof cfg.class_name !== "string" || !isObj(cfg.config)) {
    throw new ValueError(`loadModel: a layer config must be { class_name, config }, got ${JSON.stringify(cfg)?.slice(0, 80)}`);
  }
  const c = cfg.config;
  switch (cfg.class_name) {
    case "Sequential": {
      const layers = (c.layers as KerasObjectConfig[]).map((l) => modelFromConfig(l));
      const seq = new Sequential(layers, { name: c.name as string });
      // Setting `trainable` reaches every sublayer, so only a frozen model's flag is replayed.
      if (c.trainable === false) seq.trainable = false;
      return seq;
    }
    case "Functional":
    case "Model":
      return functionalFromConfig(c);
    case "InputLayer":
      return new InputLayer({ batchInputShape: c.batch_input_shape as Shape, dtype: c.dtype as DType, name: c.name as string });
  }
  const codec = CODECS[cfg.class_name];
  if (!codec) throw new ValueError(`loadModel: unknown layer class '${cfg.class_name}' (known: Sequential, Functional, InputLayer, ${Object.keys(CODECS).join(", ")})`);
  return codec.load(c, baseArgs(c));
}

function functionalFromConfig(c: Cfg): Model {
  const specs = c.layers as KerasObjectConfig[];
  const tensors = new Map<string, KerasTensor>();
  const key = (name: string, node: number, index: number) => `${name}:${node}:${index}`;
  const pending: { layer: Layer; nodes: InboundNode[]; next: number }[] = [];
  for (const spec of specs) {
    if (spec.class_name === "InputLayer") {
      const ic = spec.config;
      tensors.set(key(ic.name as string, 0, 0), Input({ batchShape: ic.batch_input_shape as Shape, name: ic.name as string, dtype: ic.dtype as DType }));
    } else {
      pending.push({ layer: modelFromConfig(spec), nodes: spec.inbound_nodes ?? [], next: 0 });
    }
  }
  // Replays the calls in an order where every input already exists (a shared layer's calls in order).
  let progress = true;
  while (progress) {
    progress = false;
    for (const p of pending) {
      while (p.next < p.nodes.length) {
        const node = p.nodes[p.next];
        const ins = node.map(([n, i, j]) => tensors.get(key(n, i, j)));
        if (ins.some((t) => t === undefined)) break;
        const kwargs = node[0]?.[3] ?? {};
        const out = p.layer(ins.length === 1 ? ins[0] : ins, kwargs) as KerasTensor | KerasTensor[];
        (Array.isArray(out) ? out : [out]).forEach((t, i) => tensors.set(key(p.layer.name, p.next, i), t));
        p.next++;
        progress = true;
      }
    }
  }
  const stuck = pending.find((p) => p.next < p.nodes.length);
  if (stuck) throw new ValueError(`loadModel: the inputs of layer '${stuck.layer.name}' (call ${stuck.next}) are never produced: the config is inconsistent`);
  const pick = (refs: unknown): KerasTensor[] =>
    (refs as [string, number, number][]).map(([n, i, j]) => {
      const t = tensors.get(key(n, i, j));
      if (!t) throw new ValueError(`loadModel: the model's input/output '${n}' (node ${i}, tensor ${j}) is not in the config`);
      return t;
    });
  const inputs = pick(c.input_layers);
  const outputs = pick(c.output_layers);
  const model = new Model({ inputs: inputs.length === 1 ? inputs[0] : inputs, outputs: outputs.length === 1 ? outputs[0] : outputs, name: c.name as string });
  if (c.trainable === false) model.trainable = false;
  return model;
}
