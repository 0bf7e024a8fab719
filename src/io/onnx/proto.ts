// ONNX's messages (onnx.proto3), written with the field numbers of the specification. Only what an
// inference graph needs: ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto,
// ValueInfoProto/TypeProto/TensorShapeProto and OperatorSetIdProto.
import { ProtoWriter } from "./protobuf.js";

/** TensorProto.DataType values. */
export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, BOOL: 9, FLOAT16: 10, DOUBLE: 11 } as const;

/** AttributeProto.AttributeType values. */
const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

/** An attribute value, tagged with its ONNX type (JavaScript numbers do not say int or float). */
export type AttrValue =
  | { kind: "int"; v: number }
  | { kind: "float"; v: number }
  | { kind: "ints"; v: readonly number[] }
  | { kind: "floats"; v: readonly number[] }
  | { kind: "string"; v: string }
  | { kind: "tensor"; v: Uint8Array };

export const int = (v: number): AttrValue => ({ kind: "int", v });
export const float = (v: number): AttrValue => ({ kind: "float", v });
export const ints = (v: readonly number[]): AttrValue => ({ kind: "ints", v });
export const floats = (v: readonly number[]): AttrValue => ({ kind: "floats", v });
export const str = (v: string): AttrValue => ({ kind: "string", v });

/** AttributeProto: name 1, f 2, i 3, s 4, t 5, floats 7, ints 8, type 20. */
export function attribute(name: string, a: AttrValue): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  switch (a.kind) {
    case "float":
      return w.float(2, a.v).int(20, AttrType.FLOAT);
    case "int":
      return w.int(3, a.v).int(20, AttrType.INT);
    case "string":
      return w.string(4, a.v).int(20, AttrType.STRING);
    case "tensor":
      return w.message(5, a.v).int(20, AttrType.TENSOR);
    case "floats":
      return w.packedFloats(7, a.v).int(20, AttrType.FLOATS);
    case "ints":
      return w.packedInts(8, a.v).int(20, AttrType.INTS);
  }
}

/** NodeProto: input 1, output 2, name 3, op_type 4, attribute 5, domain 7. */
export function node(opType: string, inputs: readonly string[], outputs: readonly string[], name: string, attrs: Record<string, AttrValue> = {}): Uint8Array {
  const w = new ProtoWriter();
  for (const i of inputs) w.string(1, i);
  for (const o of outputs) w.string(2, o);
  w.string(3, name).string(4, opType);
  for (const [k, v] of Object.entries(attrs)) w.message(5, attribute(k, v));
  return w.finish();
}

/** TensorProto: dims 1, data_type 2, name 8, raw_data 9 (little-endian, row-major). */
export function tensorProto(name: string, dims: readonly number[], dataType: number, raw: Uint8Array): Uint8Array {
  const w = new ProtoWriter();
  if (dims.length) w.packedInts(1, dims);
  return w.int(2, dataType).string(8, name).bytes(9, raw).finish();
}

/**
 * ValueInfoProto (name 1, type 2) of a tensor: TypeProto.tensor_type (1) holds elem_type (1) and
 * a TensorShapeProto (2) whose dims (1) are dim_value (1) or a symbolic dim_param (2).
 */
export function valueInfo(name: string, elemType: number, dims: readonly (number | string)[]): Uint8Array {
  const shape = new ProtoWriter();
  for (const d of dims) shape.message(1, typeof d === "string" ? new ProtoWriter().string(2, d) : new ProtoWriter().int(1, d));
  const tensorType = new ProtoWriter().int(1, elemType).message(2, shape);
  const type = new ProtoWriter().message(1, tensorType);
  return new ProtoWriter().string(1, name).message(2, type).finish();
}

/** GraphProto: node 1, name 2, initializer 5, input 11, output 12. */
export function graph(name: string, nodes: readonly Uint8Array[], initializers: readonly Uint8Array[], inputs: readonly Uint8Array[], outputs: readonly Uint8Array[]): Uint8Array {
  const w = new ProtoWriter();
  for (const n of nodes) w.message(1, n);
  w.string(2, name);
  for (const t of initializers) w.message(5, t);
  for (const i of inputs) w.message(11, i);
  for (const o of outputs) w.message(12, o);
  return w.finish();
}

/**
 * ModelProto: ir_version 1, producer_name 2, producer_version 3, graph 7, opset_import 8
 * (OperatorSetIdProto: domain 1, version 2; the default domain is the empty string).
 */
export function model(graphBytes: Uint8Array, opset: number, irVersion: number, producer: string, producerVersion: string): Uint8Array {
  return new ProtoWriter()
    .int(1, irVersion)
    .string(2, producer)
    .string(3, producerVersion)
    .message(7, graphBytes)
    .message(8, new ProtoWriter().string(1, "").int(2, opset))
    .finish();
}
