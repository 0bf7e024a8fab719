// What the converters share while one model is exported: the graph being built, the names of the
// values computed so far (by tensor identity), weight names, the traced batch size, and the ONNX
// forms of the activations both dialects use.
import { Tensor } from "../../tensor/tensor.js";
import { fmtShape } from "../../tensor/shape.js";
import { ValueError } from "../../tensor/errors.js";
import { GraphBuilder } from "./graph.js";
import { float, ints, type AttrValue } from "./proto.js";

/** An export that cannot be done: the message names the module/layer or op and why. */
export class OnnxExportError extends ValueError {
  override name = "OnnxExportError";
}

/** Throws an OnnxExportError with `msg`. */
export const fail = (msg: string): never => {
  throw new OnnxExportError(`onnx export: ${msg}`);
};

/** The state of one export: the graph being built and the ONNX value name of each traced tensor. */
export class ExportContext {
  readonly g = new GraphBuilder();
  /** ONNX value name of each tensor the graph computes (inputs, layer outputs, op outputs). */
  readonly values = new Map<Tensor, string>();

  constructor(
    readonly opset: number,
    /** The traced batch size, when dim 0 of the inputs is dynamic; else null. */
    readonly batch: number | null,
    /** Readable names of the model's weights (`fc1.weight`, `dense/kernel`). */
    readonly weightNames: Map<Tensor, string>,
  ) {}

  /** Gives `t` the value name `name` (a computed tensor). */
  set(t: Tensor, name: string): string {
    this.values.set(t, name);
    return name;
  }

  /** Whether `t` is a weight of the model (a parameter, buffer or variable). */
  isWeight(t: Tensor): boolean {
    return this.weightNames.has(t);
  }

  /**
   * A weight as a float32 initializer, optionally transformed first (`transform` returns new
   * dims and values; `tag` tells transformed copies apart).
   */
  weight(t: Tensor, hint?: string, transform?: { tag: string; dims: number[]; values: ArrayLike<number> }): string {
    if (t.dtype !== "float32") fail(`weight '${this.weightNames.get(t) ?? hint ?? "?"}' is ${t.dtype}; ONNX export writes float32 models (call model.float() first)`);
    const base = this.weightNames.get(t) ?? hint ?? "weight";
    if (transform) return this.g.floatConst(`${base}_${transform.tag}`, transform.dims, transform.values, `w${t.id}:${transform.tag}`);
    return this.g.floatConst(base, t.shape, t.storage, `w${t.id}`);
  }

  /**
   * The value name of an input of a layer or op: a computed value, a weight, or a constant. A
   * tensor the trace did not see being computed is refused (its graph would be baked in as numbers).
   */
  value(t: Tensor, where: string): string {
    const known = this.values.get(t);
    if (known !== undefined) return known;
    if (this.weightNames.has(t) || t.requiresGrad) {
      if (t.gradFn !== null) {
        return fail(`${where}: an input of shape ${fmtShape(t.shape)} was computed by '${t.gradFn.name}' where the export could not follow it (inside a module it does not know)`);
      }
      return this.weight(t, "weight");
    }
    if (t.gradFn !== null) return fail(`${where}: an input of shape ${fmtShape(t.shape)} was computed by '${t.gradFn.name}' outside the traced graph`);
    if (this.batch !== null && this.batch > 1 && t.ndim >= 1 && t.shape[0] === this.batch) {
      return fail(
        `${where}: an input of shape ${fmtShape(t.shape)} depends on the batch but was computed outside the recorded graph (a detached tensor, ` +
          `as in functional softmax/logSoftmax/logsumexp); use the module form (nn.Softmax, nn.LogSoftmax) or a layer`,
      );
    }
    if (t.dtype === "bool") return fail(`${where}: boolean constants are not supported`);
    return this.g.floatConst("const", t.shape, t.storage, `c${t.id}`);
  }

  /** The dims of a graph input or output: dim 0 symbolic ("batch") when the batch is dynamic. */
  dims(t: Tensor): (number | string)[] {
    return t.shape.map((d, i) => (i === 0 && this.batch !== null && d === this.batch ? "batch" : d));
  }

  /**
   * A Reshape to `shape` (the traced output shape) that keeps dim 0 dynamic: when dim 0 is the
   * batch in and out, it is written as 0 (ONNX: copy the input's dim).
   */
  reshape(x: string, inShape: readonly number[], shape: readonly number[]): string {
    const target = shape.slice();
    if (this.batch !== null && inShape[0] === this.batch && target[0] === this.batch && target.length > 0) target[0] = 0;
    return this.g.op("Reshape", [x, this.g.int64Const("shape", target)]);
  }

  transpose(x: string, perm: readonly number[]): string {
    return this.g.op("Transpose", [x], { perm: ints(perm) });
  }

  /** x·sigmoid(x). */
  silu(x: string): string {
    return this.g.op("Mul", [x, this.g.op("Sigmoid", [x])]);
  }

  /** GELU, exact (0.5·x·(1 + erf(x/√2))) or with the tanh approximation. */
  gelu(x: string, approximate: "none" | "tanh"): string {
    const g = this.g;
    let inner: string;
    if (approximate === "tanh") {
      const cube = g.op("Mul", [x, g.op("Mul", [x, x])]);
      const poly = g.op("Add", [x, g.op("Mul", [cube, g.scalar(0.044715)])]);
      inner = g.op("Tanh", [g.op("Mul", [poly, g.scalar(Math.sqrt(2 / Math.PI))])]);
    } else {
      inner = g.op("Erf", [g.op("Mul", [x, g.scalar(Math.SQRT1_2)])]);
    }
    return g.op("Mul", [g.op("Mul", [x, g.scalar(0.5)]), g.op("Add", [inner, g.scalar(1)])]);
  }

  /** log(1 + exp(βx))/β (ONNX's Softplus is β = 1; its missing threshold changes < 1e-8). */
  softplus(x: string, beta: number): string {
    if (beta === 1) return this.g.op("Softplus", [x]);
    const y = this.g.op("Softplus", [this.g.op("Mul", [x, this.g.scalar(beta)])]);
    return this.g.op("Div", [y, this.g.scalar(beta)]);
  }

  /** An op with float attributes (LeakyRelu's alpha, Elu's alpha, …). */
  unary(op: string, x: string, attrs: Record<string, number> = {}): string {
    const a: Record<string, AttrValue> = {};
    for (const [k, v] of Object.entries(attrs)) a[k] = float(v);
    return this.g.op(op, [x], a);
  }
}

/** Checks a layer's or op's input is a float32 tensor (what the exported graph computes in). */
export function requireFloat32(t: Tensor, where: string): void {
  if (!(t instanceof Tensor)) fail(`${where}: expected a tensor input, got ${typeof t}`);
  if (t.dtype !== "float32") fail(`${where}: input is ${t.dtype}; ONNX export writes float32 graphs (give a float32 sample input)`);
}
