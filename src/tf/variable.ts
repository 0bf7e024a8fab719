import { Tensor } from "../tensor/tensor.js";
import type { DType } from "../tensor/dtype.js";
import { isFloating } from "../tensor/dtype.js";
import { fmtShape, shapesEqual } from "../tensor/shape.js";
import { ShapeError } from "../tensor/errors.js";
import { castTo } from "../ops/util.js";
import { add, sub } from "../ops/binary.js";
import { clone } from "../ops/unary.js";
import { noGrad } from "../autograd/grad_mode.js";
import { convertToTensor, type TensorInput } from "./convert.js";

export interface VariableOptions {
  /** Whether gradient tapes watch it and Keras trains it. Default true. */
  trainable?: boolean;
  /** Default "Variable"; TensorFlow shows it as `name:0`. */
  name?: string;
  dtype?: DType;
}

/**
 * A mutable tensor whose value persists across calls, as `tf.Variable`. It is a Tensor, so it
 * enters every op directly (`x.mul(w)`, `tf.matmul(x, w)`); `assign`, `assignAdd` and `assignSub`
 * change it in place (not recorded). A trainable floating point variable is watched by the
 * gradient tapes that read it.
 *
 * @example
 * const w = new tf.Variable(tf.random.uniform([1], -0.1, 0.1));
 * w.assign(w.sub(0.5));
 */
export class Variable extends Tensor {
  readonly trainable: boolean;
  private readonly baseName: string;

  /** `initial`: a tensor, a number or nested arrays, or a function returning one (called once). */
  constructor(initial: TensorInput | (() => TensorInput), opts: VariableOptions = {}) {
    const value = convertToTensor(typeof initial === "function" ? initial() : initial, opts.dtype);
    // A variable owns its storage: later changes to the initial tensor do not reach it.
    super(value.storage.slice(), value.shape.slice(), value.dtype);
    this.trainable = opts.trainable ?? true;
    this.baseName = opts.name ?? "Variable";
    this.requiresGrad = this.trainable && isFloating(this.dtype);
  }

  /** TensorFlow's variable name, `name:0`. */
  get name(): string {
    return `${this.baseName}:0`;
  }

  private write(op: string, value: Tensor): this {
    if (!shapesEqual(value.shape, this.shape)) {
      throw new ShapeError(`${op}: cannot assign a value of shape ${fmtShape(value.shape)} to variable '${this.name}' of shape ${fmtShape(this.shape)}`);
    }
    this.storage.set(castTo(value, this.dtype).storage);
    this._bumpVersion();
    return this;
  }

  /** Sets the value (same shape), in place; returns the variable. */
  assign(value: TensorInput): this {
    return this.write("assign", convertToTensor(value, this.dtype));
  }

  /** Adds `delta` in place. */
  assignAdd(delta: TensorInput): this {
    const d = convertToTensor(delta, this.dtype);
    return this.write("assignAdd", noGrad(() => add(this, d)));
  }

  /** Subtracts `delta` in place. */
  assignSub(delta: TensorInput): this {
    const d = convertToTensor(delta, this.dtype);
    return this.write("assignSub", noGrad(() => sub(this, d)));
  }

  /** The current value as a new tensor (later assignments do not change it); differentiable. */
  value(): Tensor {
    return clone(this);
  }

  /** Same as `value()` (TF's `read_value`). */
  readValue(): Tensor {
    return clone(this);
  }

  override toString(): string {
    const shape = `(${this.shape.join(", ")}${this.shape.length === 1 ? "," : ""})`;
    const value = this.shape.length === 0 ? String(this.item()) : `array(${JSON.stringify(this.tolist())}, dtype=${this.dtype})`;
    return `<tf.Variable '${this.name}' shape=${shape} dtype=${this.dtype}, numpy=${value}>`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** Whether `x` is a `tf.Variable`. */
export function isVariable(x: unknown): x is Variable {
  return x instanceof Variable;
}
