// Keras' Layer: a callable holding variables, built lazily from the shape of its first input, that
// tracks the variables and layers assigned to its fields.
import { Tensor } from "../../tensor/tensor.js";
import type { DType } from "../../tensor/dtype.js";
import { isFloating } from "../../tensor/dtype.js";
import { fmtShape, shapesEqual } from "../../tensor/shape.js";
import { ValueError } from "../../tensor/errors.js";
import { cast, clone } from "../../ops/unary.js";
import { CallableObject } from "../../nn/callable.js";
import { Variable } from "../variable.js";
import { convertToTensor, type TensorInput } from "../convert.js";
import { getInitializer, type InitializerLike } from "./initializers.js";
import { getRegularizer, type RegularizerLike } from "./regularizers.js";
import { toSnakeCase, uniqueName } from "./names.js";

/** A shape with `null` for unknown sizes (the batch dimension of a symbolic input). */
export type Shape = readonly (number | null)[];

export interface LayerArgs {
  name?: string;
  trainable?: boolean;
  dtype?: DType;
  /** The input shape without the batch dimension, for the first layer of a Sequential model. */
  inputShape?: Shape;
  /** The input shape with the batch dimension (null for any). */
  batchInputShape?: Shape;
  batchSize?: number;
}

/** Keyword arguments of a call: `training` switches Dropout and BatchNormalization to training mode. */
export interface CallArgs {
  training?: boolean;
  [key: string]: unknown;
}

export interface AddWeightOptions {
  name?: string;
  shape?: readonly number[];
  dtype?: DType;
  initializer?: InitializerLike;
  regularizer?: RegularizerLike;
  trainable?: boolean;
}

interface LayerInternals {
  weights: Variable[];
  trainable: boolean;
  callableLosses: (() => Tensor)[];
  eagerLosses: Tensor[];
  /** The shape of the last output, batch dimension as null (for summary). */
  outputShape: Shape | Shape[] | null;
  batchInputShape: Shape | null;
}

const INTERNALS = Symbol("layerInternals");

// The `training` value of the calls in progress: a layer called without one inherits its caller's.
const callStack: (boolean | undefined)[] = [];

/** Hooks the functional API installs (calls on symbolic inputs); set by functional.ts. */
export const symbolicHooks: {
  isSymbolic: (x: unknown) => boolean;
  call: (layer: Layer, inputs: unknown, kwargs: CallArgs) => unknown;
} = { isSymbolic: () => false, call: () => undefined };

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== "object" || x === null) return false;
  const p = Object.getPrototypeOf(x);
  return p === Object.prototype || p === null;
}

function dedup<T>(xs: readonly T[]): T[] {
  return Array.from(new Set(xs));
}

/** Python's repr of a shape tuple: `(None, 10)`, `(None,)`. */
export function fmtTuple(s: Shape): string {
  const parts = s.map((d) => (d === null ? "None" : String(d)));
  return parts.length === 1 ? `(${parts[0]},)` : `(${parts.join(", ")})`;
}

/**
 * Base class of Keras layers and models (`tf.keras.layers.Layer`). Subclasses implement
 * `call(inputs, { training })` and may create weights in `build(inputShape)` with `addWeight`;
 * `build` runs once, on the first call, with the input's shape. Instances are callable
 * (`layer(x)`). Variables and layers assigned to fields are tracked, in declaration order, also
 * inside arrays and plain objects.
 *
 * @example
 * class Scale extends tf.keras.layers.Layer {
 *   w!: tf.Variable;
 *   build(inputShape: number[]) { this.w = this.addWeight({ name: "w", shape: [inputShape.at(-1)!], initializer: "ones" }); }
 *   call(x: tf.Tensor) { return x.mul(this.w); }
 * }
 */
export class Layer extends CallableObject {
  /** The layer's name (Keras' automatic `dense`, `dense_1`, … unless given). */
  override name: string;
  /** Whether `build` has run. */
  built = false;
  /** The dtype of the layer's weights and computations. */
  readonly dtype: DType;
  declare private [INTERNALS]: LayerInternals;

  constructor(args: LayerArgs = {}) {
    super();
    Object.defineProperty(this, INTERNALS, {
      value: {
        weights: [],
        trainable: args.trainable ?? true,
        callableLosses: [],
        eagerLosses: [],
        outputShape: null,
        batchInputShape: args.batchInputShape ?? (args.inputShape ? [args.batchSize ?? null, ...args.inputShape] : null),
      } satisfies LayerInternals,
      enumerable: false,
    });
    this.name = args.name ?? uniqueName(toSnakeCase(new.target.name));
    this.dtype = args.dtype ?? "float32";
  }

  /** The computation. The base layer returns its inputs. */
  override call(inputs: any, _kwargs?: CallArgs): any {
    return inputs;
  }

  /** Creates the weights from the input shape (the batch dimension included). Runs once. */
  build(_inputShape: any): void {
    this.built = true;
  }

  /** The input shape given at construction (`inputShape` / `batchInputShape`), batch as null. */
  get batchInputShape(): Shape | null {
    return this[INTERNALS].batchInputShape;
  }

  /** Whether the layer's weights are updated by training; setting it sets all sublayers too. */
  get trainable(): boolean {
    return this[INTERNALS].trainable;
  }

  set trainable(v: boolean) {
    for (const l of this._flattenLayers(true)) l[INTERNALS].trainable = v;
  }

  /**
   * Creates a weight of the layer (a `tf.Variable` named `layer/name`). The default initializer
   * is glorot_uniform for floating point weights, zeros otherwise. A regularizer's penalty joins
   * `losses`.
   * @example this.kernel = this.addWeight({ name: "kernel", shape: [inDim, units], initializer: "glorot_uniform" });
   */
  addWeight(opts: AddWeightOptions): Variable;
  addWeight(name: string, shape: readonly number[], opts?: Omit<AddWeightOptions, "name" | "shape">): Variable;
  addWeight(a: string | AddWeightOptions, shape?: readonly number[], rest: Omit<AddWeightOptions, "name" | "shape"> = {}): Variable {
    const o: AddWeightOptions = typeof a === "string" ? { ...rest, name: a, shape } : a;
    const dtype = o.dtype ?? this.dtype;
    const wshape = o.shape ?? [];
    for (const d of wshape) {
      if (!Number.isInteger(d) || d < 0) throw new ValueError(`${this.name}: addWeight: invalid shape ${fmtShape(wshape)} for weight '${o.name ?? "weight"}'`);
    }
    const init = getInitializer(o.initializer ?? (isFloating(dtype) ? "glorot_uniform" : "zeros"));
    const trainable = o.trainable ?? true;
    const value = init(wshape, dtype);
    const v = new Variable(value, { name: `${this.name}/${o.name ?? "Variable"}`, trainable, dtype });
    this[INTERNALS].weights.push(v);
    const reg = getRegularizer(o.regularizer);
    if (reg) this[INTERNALS].callableLosses.push(() => reg(v));
    return v;
  }

  /**
   * Adds a loss: a scalar tensor computed in `call` (kept until the next outermost call), or a
   * function of no arguments evaluated each time `losses` is read (a weight penalty).
   */
  addLoss(loss: Tensor | (() => Tensor)): void {
    if (typeof loss === "function") this[INTERNALS].callableLosses.push(loss);
    else this[INTERNALS].eagerLosses.push(loss);
  }

  /** The losses of this layer and its sublayers: those added in the last call and the weight penalties. */
  get losses(): Tensor[] {
    const out: Tensor[] = [];
    for (const l of this._flattenLayers(true)) {
      out.push(...l[INTERNALS].eagerLosses);
      for (const f of l[INTERNALS].callableLosses) out.push(f());
    }
    return out;
  }

  /** Variables and layers held by this layer's fields (and arrays/objects in them), in field order. */
  private _collect(): { vars: Variable[]; layers: Layer[] } {
    const vars: Variable[] = [...this[INTERNALS].weights];
    const layers: Layer[] = [];
    const seen = new Set<unknown>([this]);
    const visit = (x: unknown): void => {
      if (x === null || typeof x !== "object" && typeof x !== "function") return;
      if (seen.has(x)) return;
      seen.add(x);
      if (x instanceof Variable) vars.push(x);
      else if (x instanceof Layer) layers.push(x);
      else if (Array.isArray(x)) x.forEach(visit);
      else if (isPlainObject(x)) Object.keys(x).forEach((k) => visit(x[k]));
    };
    for (const k of Object.keys(this)) visit((this as unknown as Record<string, unknown>)[k]);
    for (const l of this._extraLayers()) if (!layers.includes(l)) layers.push(l);
    return { vars: dedup(vars), layers };
  }

  /** Sublayers held other than in fields (Sequential and functional models list theirs). */
  protected _extraLayers(): Layer[] {
    return [];
  }

  /** The direct sublayers, in tracking order. */
  protected _childLayers(): Layer[] {
    return this._collect().layers;
  }

  /** This layer (when `includeSelf`) and every sublayer, depth first, each once. */
  _flattenLayers(includeSelf: boolean): Layer[] {
    const out: Layer[] = [];
    const seen = new Set<Layer>();
    const go = (l: Layer) => {
      if (seen.has(l)) return;
      seen.add(l);
      out.push(l);
      for (const c of l._childLayers()) go(c);
    };
    if (includeSelf) go(this);
    else {
      seen.add(this);
      for (const c of this._childLayers()) go(c);
    }
    return out;
  }

  /** The weights training updates: the layer's own, then its sublayers'. Empty when not trainable. */
  get trainableWeights(): Variable[] {
    if (!this.trainable) return [];
    const { vars, layers } = this._collect();
    return dedup([...vars.filter((v) => v.trainable), ...layers.flatMap((l) => l.trainableWeights)]);
  }

  /** The other weights (BatchNormalization's moving statistics; everything when not trainable). */
  get nonTrainableWeights(): Variable[] {
    const { vars, layers } = this._collect();
    if (this.trainable) return dedup([...vars.filter((v) => !v.trainable), ...layers.flatMap((l) => l.nonTrainableWeights)]);
    return dedup([...vars, ...layers.flatMap((l) => l.weights)]);
  }

  /** Trainable weights, then non-trainable ones. */
  get weights(): Variable[] {
    return dedup([...this.trainableWeights, ...this.nonTrainableWeights]);
  }

  get trainableVariables(): Variable[] {
    return this.trainableWeights;
  }

  get nonTrainableVariables(): Variable[] {
    return this.nonTrainableWeights;
  }

  get variables(): Variable[] {
    return this.weights;
  }

  /** Number of scalars in the weights. */
  countParams(): number {
    return this.weights.reduce((s, w) => s + w.numel(), 0);
  }

  /** Copies of the weights' values, in `weights` order. */
  getWeights(): Tensor[] {
    return this.weights.map((w) => clone(w).detach());
  }

  /** Sets every weight, in `weights` order; the count and each shape must match. Nothing changes on error. */
  setWeights(values: readonly TensorInput[]): void {
    const ws = this.weights;
    if (values.length !== ws.length) {
      throw new ValueError(`${this.name}: setWeights: you called setWeights with a weight list of length ${values.length}, but the layer was expecting ${ws.length} weights`);
    }
    const ts = values.map((v, i) => convertToTensor(v, ws[i].dtype));
    ts.forEach((t, i) => {
      if (!shapesEqual(t.shape, ws[i].shape)) {
        throw new ValueError(`${this.name}: setWeights: weight ${i} ('${ws[i].name}') has shape ${fmtShape(ws[i].shape)}, but the value given has shape ${fmtShape(t.shape)}`);
      }
    });
    ts.forEach((t, i) => ws[i].assign(t));
  }

  /** The shape of the last output, batch as null (Keras' `output_shape` in eager use). */
  get outputShape(): Shape | Shape[] | null {
    return this[INTERNALS].outputShape;
  }

  /** Inputs as tensors: numbers and arrays converted, floating tensors cast to the layer's dtype (Keras' autocast). */
  protected _convertInputs(inputs: unknown): unknown {
    const one = (x: unknown): unknown => {
      if (x instanceof Tensor) return isFloating(x.dtype) && x.dtype !== this.dtype && isFloating(this.dtype) ? cast(x, this.dtype) : x;
      if (x === null || x === undefined) return x;
      return convertToTensor(x as TensorInput);
    };
    if (Array.isArray(inputs) && inputs.length > 0 && inputs.every((x) => x instanceof Tensor)) return inputs.map(one);
    if (isPlainObject(inputs)) {
      const o: Record<string, unknown> = {};
      for (const k of Object.keys(inputs)) o[k] = one(inputs[k]);
      return o;
    }
    return one(inputs);
  }

  /** Builds the layer from its inputs' shapes if not built yet. */
  protected _maybeBuild(inputs: unknown): void {
    if (this.built) return;
    const shapeOf = (x: unknown) => (x instanceof Tensor ? x.shape.slice() : null);
    const shape = Array.isArray(inputs) ? inputs.map(shapeOf) : isPlainObject(inputs) ? null : shapeOf(inputs);
    this.build(shape);
    this.built = true;
  }

  /** Keras' `__call__`: converts inputs, builds, runs `call` with the inherited `training` flag. */
  protected override _call(inputs: unknown, kwargs: CallArgs = {}): unknown {
    if (symbolicHooks.isSymbolic(inputs)) return symbolicHooks.call(this, inputs, kwargs);
    const x = this._convertInputs(inputs);
    if (callStack.length === 0) for (const l of this._flattenLayers(true)) l[INTERNALS].eagerLosses = [];
    const training = kwargs.training ?? (callStack.length > 0 ? callStack[callStack.length - 1] : undefined);
    this._maybeBuild(x);
    callStack.push(training);
    let out: unknown;
    try {
      out = this.call(x, { ...kwargs, training });
    } finally {
      callStack.pop();
    }
    const shapeOf = (t: unknown): Shape | null => (t instanceof Tensor ? [null, ...t.shape.slice(1)] : null);
    this[INTERNALS].outputShape = Array.isArray(out) ? (out.map(shapeOf).filter((s) => s !== null) as Shape[]) : shapeOf(out);
    return out;
  }

  /** Keras' config of the layer: its name, trainable flag and dtype (layers add their arguments). */
  getConfig(): Record<string, unknown> {
    return { name: this.name, trainable: this.trainable, dtype: this.dtype };
  }
}

/** `training ?? false`: layers outside fit run in inference mode, as Keras' learning phase 0. */
export function isTraining(kwargs: CallArgs | undefined): boolean {
  return kwargs?.training ?? false;
}
