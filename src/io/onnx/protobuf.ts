// The few pieces of the protobuf wire format that ONNX files need: a writer for varints,
// length-delimited fields (strings, bytes, nested messages) and packed repeated fields, and a
// reader that splits a message into its fields (used to check files and by the tests).
import { ValueError } from "../../tensor/errors.js";

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

const encoder = new TextEncoder();

/** Builds one protobuf message; nested messages are written by other writers and embedded. */
export class ProtoWriter {
  private buf = new Uint8Array(64);
  private len = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  /** A varint: non-negative numbers directly, negative ones as 64-bit two's complement (10 bytes). */
  private rawVarint(v: number | bigint): void {
    let x = typeof v === "bigint" ? v : BigInt(v);
    if (typeof v === "number" && !Number.isSafeInteger(v)) throw new ValueError(`protobuf: ${v} is not an integer that can be written exactly`);
    if (x < 0n) x += 1n << 64n;
    while (x >= 0x80n) {
      this.byte(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.byte(Number(x));
  }

  private tag(field: number, wire: number): void {
    this.rawVarint(field * 8 + wire);
  }

  private raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  /** An int32/int64/enum/bool field. */
  int(field: number, v: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    this.rawVarint(v);
    return this;
  }

  /** A float (fixed32) field. */
  float(field: number, v: number): this {
    this.tag(field, WIRE_FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.raw(b);
    return this;
  }

  /** A bytes field. */
  bytes(field: number, b: Uint8Array): this {
    this.tag(field, WIRE_LEN);
    this.rawVarint(b.length);
    this.raw(b);
    return this;
  }

  /** A string field (UTF-8). */
  string(field: number, s: string): this {
    return this.bytes(field, encoder.encode(s));
  }

  /** An embedded message field. */
  message(field: number, m: ProtoWriter | Uint8Array): this {
    return this.bytes(field, m instanceof ProtoWriter ? m.finish() : m);
  }

  /** A packed repeated int64 field. */
  packedInts(field: number, vs: readonly number[]): this {
    const inner = new ProtoWriter();
    for (const v of vs) inner.rawVarint(v);
    return this.bytes(field, inner.finish());
  }

  /** A packed repeated float field. */
  packedFloats(field: number, vs: readonly number[]): this {
    const b = new Uint8Array(4 * vs.length);
    const dv = new DataView(b.buffer);
    vs.forEach((v, i) => dv.setFloat32(4 * i, v, true));
    return this.bytes(field, b);
  }

  /** The message's bytes. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** One field occurrence read back: varints as bigint, fixed as their raw bytes, the rest as bytes. */
export interface ProtoField {
  field: number;
  wire: number;
  /** Varint value (wire 0). */
  int?: bigint;
  /** Payload of length-delimited (2) and fixed (1, 5) fields. */
  bytes?: Uint8Array;
}

function readVarint(b: Uint8Array, pos: number): [bigint, number] {
  let x = 0n;
  let shift = 0n;
  for (;;) {
    if (pos >= b.length) throw new ValueError("protobuf: truncated varint");
    const c = b[pos++];
    x |= BigInt(c & 0x7f) << shift;
    if ((c & 0x80) === 0) return [x, pos];
    shift += 7n;
    if (shift > 63n) throw new ValueError("protobuf: varint longer than 10 bytes");
  }
}

/**
 * Splits one message into its fields, in order. Length-delimited payloads are not interpreted
 * (decode them again as messages, strings or packed values as the schema says).
 */
export function readFields(b: Uint8Array): ProtoField[] {
  const out: ProtoField[] = [];
  let pos = 0;
  while (pos < b.length) {
    const [key, p1] = readVarint(b, pos);
    pos = p1;
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === WIRE_VARINT) {
      const [v, p2] = readVarint(b, pos);
      out.push({ field, wire, int: v });
      pos = p2;
    } else if (wire === WIRE_LEN) {
      const [n, p2] = readVarint(b, pos);
      const end = p2 + Number(n);
      if (end > b.length) throw new ValueError(`protobuf: field ${field} runs past the end of its message`);
      out.push({ field, wire, bytes: b.subarray(p2, end) });
      pos = end;
    } else if (wire === WIRE_FIXED64 || wire === WIRE_FIXED32) {
      const size = wire === WIRE_FIXED64 ? 8 : 4;
      if (pos + size > b.length) throw new ValueError(`protobuf: field ${field} runs past the end of its message`);
      out.push({ field, wire, bytes: b.subarray(pos, pos + size) });
      pos += size;
    } else {
      throw new ValueError(`protobuf: unsupported wire type ${wire} (field ${field})`);
    }
  }
  return out;
}

/** A varint read back as a signed 64-bit number (negative values were written as two's complement). */
export function toSigned(v: bigint): number {
  return Number(BigInt.asIntN(64, v));
}

/** The values of a packed repeated varint field. */
export function readPackedInts(b: Uint8Array): number[] {
  const out: number[] = [];
  let pos = 0;
  while (pos < b.length) {
    const [v, p] = readVarint(b, pos);
    out.push(toSigned(v));
    pos = p;
  }
  return out;
}
