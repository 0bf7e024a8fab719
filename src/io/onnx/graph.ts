// A small builder of ONNX graphs: nodes in execution order, initializers (weights and constants),
// the graph's inputs and outputs, and unique value names.
import type { Tensor } from "../../tensor/tensor.js";
import { ValueError } from "../../tensor/errors.js";
import * as P from "./proto.js";

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function float32Bytes(values: ArrayLike<number>): Uint8Array {
  const f = Float32Array.from(values);
  if (LITTLE_ENDIAN) return new Uint8Array(f.buffer);
  const b = new Uint8Array(4 * f.length);
  const dv = new DataView(b.buffer);
  f.forEach((v, i) => dv.setFloat32(4 * i, v, true));
  return b;
}

function int64Bytes(values: readonly number[]): Uint8Array {
  const b = new Uint8Array(8 * values.length);
  const dv = new DataView(b.buffer);
  values.forEach((v, i) => dv.setBigInt64(8 * i, BigInt(v), true));
  return b;
}

/** ONNX element type of a duograd dtype. */
export function elemType(t: Tensor): number {
  switch (t.dtype) {
    case "float32":
      return P.DataType.FLOAT;
    case "float64":
      return P.DataType.DOUBLE;
    case "int32":
      return P.DataType.INT32;
    case "bool":
      return P.DataType.BOOL;
  }
}

/** Builds one graph; values are referred to by name. */
export class GraphBuilder {
  private readonly nodes: { opType: string; inputs: string[]; outputs: string[]; name: string; attrs: Record<string, P.AttrValue> }[] = [];
  private readonly inits: Uint8Array[] = [];
  private readonly ins: Uint8Array[] = [];
  private readonly outs: Uint8Array[] = [];
  private readonly used = new Set<string>();
  private readonly cache = new Map<string, string>();
  private count = 0;

  /** A value name not used yet, from `hint` (`fc1.weight`, `fc1.weight_1`, …). */
  fresh(hint: string): string {
    const base = hint.replace(/[^A-Za-z0-9_./:-]/g, "_") || "v";
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Declares a graph input. */
  input(name: string, elem: number, dims: readonly (number | string)[]): string {
    this.used.add(name);
    this.ins.push(P.valueInfo(name, elem, dims));
    return name;
  }

  /** Declares a graph output (an existing value). */
  output(name: string, elem: number, dims: readonly (number | string)[]): void {
    this.outs.push(P.valueInfo(name, elem, dims));
  }

  /**
   * A float32 initializer. `key` deduplicates: the same key returns the same initializer
   * (a weight used twice is stored once).
   */
  floatConst(hint: string, dims: readonly number[], values: ArrayLike<number>, key?: string): string {
    if (key !== undefined && this.cache.has(key)) return this.cache.get(key)!;
    let n = 1;
    for (const d of dims) n *= d;
    if (n !== values.length) throw new ValueError(`onnx export: constant '${hint}' has ${values.length} values for dims [${dims.join(", ")}]`);
    const name = this.fresh(hint);
    this.inits.push(P.tensorProto(name, dims, P.DataType.FLOAT, float32Bytes(values)));
    if (key !== undefined) this.cache.set(key, name);
    return name;
  }

  /** A 1-D int64 initializer (shapes, axes), shared between equal values. */
  int64Const(hint: string, values: readonly number[]): string {
    const key = `int64:${values.join(",")}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const name = this.fresh(hint);
    this.inits.push(P.tensorProto(name, [values.length], P.DataType.INT64, int64Bytes(values)));
    this.cache.set(key, name);
    return name;
  }

  /** A scalar float32 constant (shared between equal values). */
  scalar(v: number): string {
    return this.floatConst("const", [], [v], `scalar:${Object.is(v, -0) ? "-0" : v}`);
  }

  /** Adds a node and returns its (first) output's name. */
  op(opType: string, inputs: readonly string[], attrs: Record<string, P.AttrValue> = {}, hint = opType): string {
    const out = this.fresh(hint);
    this.nodes.push({ opType, inputs: inputs.slice(), outputs: [out], name: `${opType}_${this.count++}`, attrs });
    return out;
  }

  /** Whether a node computes `name` (false for inputs and initializers). */
  isNodeOutput(name: string): boolean {
    return this.nodes.some((n) => n.outputs.includes(name));
  }

  /** Renames a value computed by a node (to give the graph's outputs their names). */
  rename(from: string, to: string): void {
    if (this.used.has(to)) throw new ValueError(`onnx export: the name '${to}' is already used in the graph`);
    this.used.add(to);
    for (const n of this.nodes) {
      n.inputs = n.inputs.map((x) => (x === from ? to : x));
      n.outputs = n.outputs.map((x) => (x === from ? to : x));
    }
  }

  /** The ModelProto's bytes. */
  toModel(name: string, opset: number, producerVersion: string): Uint8Array {
    const nodes = this.nodes.map((n) => P.node(n.opType, n.inputs, n.outputs, n.name, n.attrs));
    const g = P.graph(name, nodes, this.inits, this.ins, this.outs);
    // IR version 8 is the one that goes with opsets 15-17; 7 with 13-14.
    return P.model(g, opset, opset >= 15 ? 8 : 7, "duograd", producerVersion);
  }
}
