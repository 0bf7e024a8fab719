// Keras' Sequential: a stack of layers, each fed the previous one's output.
import { Tensor } from "../../tensor/tensor.js";
import { ValueError } from "../../tensor/errors.js";
import { zeros } from "../../tensor/creation.js";
import { noGrad } from "../../autograd/grad_mode.js";
import { Layer, type CallArgs, type Shape } from "./layer.js";
import { InputLayer, KerasTensor } from "./functional.js";
import { Model } from "./model.js";

const LAYERS = Symbol("sequentialLayers");

/**
 * A linear stack of layers (`tf.keras.Sequential`). The input shape comes from a first
 * `tf.keras.Input`, from the first layer's `inputShape`, from `build`, or from the first call;
 * once known, the layers are built at once (so `summary` works).
 * @example
 * const model = new tf.keras.Sequential([
 *   new tf.keras.layers.Dense(16, { activation: "relu", inputShape: [4] }),
 *   new tf.keras.layers.Dense(3, { activation: "softmax" }),
 * ]);
 */
export class Sequential extends Model {
  declare private [LAYERS]: { layers: Layer[]; inputShape: Shape | null };

  constructor(layers: readonly (Layer | KerasTensor)[] = [], args: { name?: string } = {}) {
    super({ name: args.name });
    Object.defineProperty(this, LAYERS, { value: { layers: [], inputShape: null }, enumerable: false });
    for (const l of layers) this.add(l);
  }

  /** Appends a layer (or sets the input from a `tf.keras.Input` / InputLayer). */
  add(layer: Layer | KerasTensor): void {
    const s = this[LAYERS];
    if (layer instanceof KerasTensor || layer instanceof InputLayer) {
      if (s.layers.length > 0) throw new ValueError("Sequential: an Input can only be the first element of the model");
      s.inputShape = layer instanceof KerasTensor ? layer.shape : layer.batchInputShape;
      return;
    }
    if (!(layer instanceof Layer)) throw new ValueError(`Sequential.add: the added layer must be an instance of class Layer, got ${String(layer)}`);
    if (s.layers.includes(layer)) throw new ValueError(`Sequential.add: layer ${layer.name} is already in the model`);
    if (s.layers.length === 0 && s.inputShape === null && layer.batchInputShape) s.inputShape = layer.batchInputShape;
    s.layers.push(layer);
    if (s.inputShape !== null) this.buildFrom(s.inputShape);
  }

  /** Removes the last layer. */
  pop(): Layer {
    const s = this[LAYERS];
    const l = s.layers.pop();
    if (!l) throw new ValueError("Sequential.pop: there are no layers in the model");
    return l;
  }

  protected override _extraLayers(): Layer[] {
    return this[LAYERS].layers;
  }

  // Layers show their output shapes in summary (batch as None), as for functional models.
  protected override _isGraphNetwork(): boolean {
    return true;
  }

  protected override _usesDefaultBuild(): boolean {
    return true;
  }

  /** Builds every layer for inputs of `inputShape` (batch size may be null). */
  override build(inputShape?: Shape | Shape[] | null): void {
    const shape = (inputShape ?? this[LAYERS].inputShape) as Shape | null;
    if (shape === null || shape === undefined) throw new ValueError("Sequential.build: you must provide an inputShape");
    this[LAYERS].inputShape = shape;
    this.buildFrom(shape);
  }

  // Runs the stack once on zeros (batch of 1, inference mode, not recorded): every layer builds
  // and records its output shape.
  private buildFrom(shape: Shape): void {
    const x = zeros(shape.map((d) => d ?? 1), { dtype: this.dtype });
    noGrad(() => {
      let h: unknown = x;
      for (const l of this[LAYERS].layers) h = l(h, { training: false });
    });
    this.built = true;
  }

  /** The input shape the model was built for (batch as null), or null before it is known. */
  get buildInputShape(): Shape | null {
    return this[LAYERS].inputShape;
  }

  override call(inputs: any, kwargs?: CallArgs): any {
    const s = this[LAYERS];
    if (s.layers.length === 0) throw new ValueError(`Sequential model ${this.name} has no layers: add some before calling it`);
    // A model built by its first call remembers the input shape (model.save records it).
    if (s.inputShape === null && inputs instanceof Tensor) s.inputShape = [null, ...inputs.shape.slice(1)];
    let h: unknown = inputs;
    for (const l of s.layers) h = l(h, kwargs);
    return h;
  }
}
