// The safetensors format, read and written on bytes (Uint8Array), so it runs in a browser too:
//   8 bytes    N, the header's length, unsigned 64-bit little-endian;
//   N bytes    a UTF-8 JSON object: tensor name → { dtype, shape, data_offsets: [begin, end] } and
//              an optional "__metadata__" of string → string, padded with spaces;
//   the rest   the tensors' bytes, little-endian, row-major, offsets relative to the data start;
//              the tensors cover it exactly: no overlap, no gap, nothing after the last one.
// The writer lays files out as the reference implementation does (tensors sorted by alignment,
// then name; header padded to 8 bytes), so a file round-trips to the same bytes.
import { Tensor } from "../tensor/tensor.js";
import type { DType, TypedArray } from "../tensor/dtype.js";
import { fmtShape } from "../tensor/shape.js";
import { ValueError } from "../tensor/errors.js";
import { bfloat16ToFloat, floatToBfloat16, floatToHalf, halfToFloat } from "./float16.js";

/** A malformed or unreadable safetensors file, or tensors that cannot be written as asked. */
export class SafetensorsError extends ValueError {
  override name = "SafetensorsError";
}

/** Every dtype name of the safetensors format, in the reference's alignment order. */
export const SAFETENSORS_DTYPES = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"] as const;
export type SafetensorsDType = (typeof SAFETENSORS_DTYPES)[number];

/** The dtypes duograd writes: floating tensors as F64/F32/F16/BF16, int32 as I32/I64, bool as BOOL. */
export type WritableDType = "F64" | "F32" | "F16" | "BF16" | "I64" | "I32" | "BOOL";

const ITEM_SIZE: Record<SafetensorsDType, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
};

/** What each readable file dtype becomes: floats in float32 (F64 stays float64), integers in int32. */
const READ_AS: Partial<Record<SafetensorsDType, DType>> = {
  F64: "float64", F32: "float32", F16: "float32", BF16: "float32",
  I64: "int32", I32: "int32", U64: "int32", U32: "int32", I16: "int32", U16: "int32", I8: "int32", U8: "int32",
  BOOL: "bool",
};

const DEFAULT_WRITE: Record<DType, WritableDType> = { float32: "F32", float64: "F64", int32: "I32", bool: "BOOL" };
const WRITABLE_FROM: Record<DType, readonly WritableDType[]> = {
  float32: ["F32", "F64", "F16", "BF16"],
  float64: ["F64", "F32", "F16", "BF16"],
  int32: ["I32", "I64"],
  bool: ["BOOL"],
};

/** The reference reader's limit on the header (100 MB): larger means a corrupt length. */
const MAX_HEADER = 100_000_000;
const METADATA_KEY = "__metadata__";
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** One tensor's entry in the header. */
export interface TensorInfo {
  dtype: SafetensorsDType;
  shape: number[];
  /** [begin, end) in bytes, relative to the start of the data. */
  dataOffsets: [number, number];
}

/** The parsed header: entries in file (offset) order, the metadata, where the data starts. */
export interface SafetensorsHeader {
  tensors: [string, TensorInfo][];
  metadata: Record<string, string> | null;
  /** Byte offset of the data in the file: 8 + the header length. */
  dataStart: number;
}

/** What {@link deserialize} returns. */
export interface SafetensorsContents {
  /** The tensors by name, in file order. */
  tensors: Record<string, Tensor>;
  /** The `__metadata__` strings, or null when the file has none. */
  metadata: Record<string, string> | null;
  /** Each tensor's dtype in the file (F16/BF16/I64 … are read into float32/int32). */
  dtypes: Record<string, SafetensorsDType>;
}

/** Options of {@link serialize}. */
export interface SerializeOptions {
  /** Free-form strings stored as the header's `__metadata__`. */
  metadata?: Record<string, string> | null;
  /** The file dtype of some tensors (default: F32, F64, I32, BOOL after the tensor's dtype). */
  dtypes?: Record<string, WritableDType> | ((name: string, t: Tensor) => WritableDType | undefined);
}

const fail = (msg: string): never => {
  throw new SafetensorsError(`safetensors: ${msg}`);
};

const isSafeNat = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/**
 * Reads and checks the header of a safetensors file: the length, the JSON, every entry's dtype,
 * shape and offsets against each other and against the data. Every problem is an error naming
 * the tensor.
 */
export function readHeader(bytes: Uint8Array): SafetensorsHeader {
  if (!(bytes instanceof Uint8Array)) fail(`expected the file's bytes as a Uint8Array, got ${Object.prototype.toString.call(bytes)}`);
  if (bytes.length < 8) fail(`the file is truncated: ${bytes.length} byte(s), less than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER)) fail(`the header length ${n64} is larger than the ${MAX_HEADER}-byte limit: not a safetensors file, or a corrupt one`);
  const n = Number(n64);
  if (8 + n > bytes.length) fail(`the header length ${n} runs past the end of the file (${bytes.length} bytes): the file is truncated or is not a safetensors file`);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    return fail("the header is not valid UTF-8");
  }
  if (!text.startsWith("{")) fail(`the header must be a JSON object starting with "{", got ${JSON.stringify(text.slice(0, 20))}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return fail(`the header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return fail("the header must be a JSON object");
  const dataStart = 8 + n;
  const dataLen = bytes.length - dataStart;
  let metadata: Record<string, string> | null = null;
  const entries: [string, TensorInfo][] = [];
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      // The reference reads a null as "no metadata".
      metadata = raw === null ? null : checkMetadata(raw);
      continue;
    }
    entries.push([name, checkEntry(name, raw, dataLen)]);
  }
  // The tensors must tile the data: sorted by offset, each begins where the previous one ended.
  entries.sort((a, b) => a[1].dataOffsets[0] - b[1].dataOffsets[0] || a[1].dataOffsets[1] - b[1].dataOffsets[1]);
  let pos = 0;
  let prev: string | null = null;
  for (const [name, info] of entries) {
    const [begin, end] = info.dataOffsets;
    if (begin < pos) fail(`tensor '${name}': data_offsets [${begin}, ${end}] overlap tensor '${prev}' (which ends at byte ${pos})`);
    if (begin > pos) fail(`tensor '${name}': data_offsets [${begin}, ${end}] leave bytes ${pos}..${begin} of the data unused (the tensors must cover the data without gaps)`);
    pos = end;
    prev = name;
  }
  if (pos !== dataLen) fail(`the data holds ${dataLen} bytes but the tensors cover ${pos}: ${dataLen - pos} trailing byte(s) belong to no tensor`);
  return { tensors: entries, metadata, dataStart };
}

function checkMetadata(raw: unknown): Record<string, string> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return fail(`"${METADATA_KEY}" must be an object of strings`);
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== "string") fail(`"${METADATA_KEY}" values must be strings, but '${k}' is ${JSON.stringify(v)}`);
  }
  return { ...(raw as Record<string, string>) };
}

function checkEntry(name: string, raw: unknown, dataLen: number): TensorInfo {
  const where = `tensor '${name}'`;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return fail(`${where}: its header entry must be an object with dtype, shape and data_offsets`);
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
  if (typeof dtype !== "string") return fail(`${where}: missing or non-string dtype`);
  if (!(SAFETENSORS_DTYPES as readonly string[]).includes(dtype)) {
    fail(`${where} has unknown dtype ${JSON.stringify(dtype)} (safetensors dtypes: ${SAFETENSORS_DTYPES.join(", ")})`);
  }
  const dt = dtype as SafetensorsDType;
  if (!Array.isArray(shape) || !shape.every(isSafeNat)) return fail(`${where}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isSafeNat)) {
    return fail(`${where}: data_offsets must be [begin, end] with non-negative integers, got ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as number[];
  if (end < begin) fail(`${where}: data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataLen) fail(`${where}: data_offsets [${begin}, ${end}] run past the end of the data (${dataLen} bytes): the file is truncated or its offsets are wrong`);
  let count = 1;
  for (const d of shape as number[]) count *= d;
  const need = count * ITEM_SIZE[dt];
  if (!Number.isSafeInteger(need)) fail(`${where}: shape ${fmtShape(shape as number[])} is too large`);
  if (need !== end - begin) {
    fail(`${where}: shape ${fmtShape(shape as number[])} of dtype ${dt} needs ${need} bytes, but data_offsets [${begin}, ${end}] hold ${end - begin}`);
  }
  return { dtype: dt, shape: (shape as number[]).slice(), dataOffsets: [begin, end] };
}

/**
 * Reads a safetensors file from its bytes. F64 gives float64 tensors; F32, F16 and BF16 give
 * float32; I32, I64 and the other integer types give int32 (a value outside int32's range is an
 * error naming the tensor); BOOL gives bool. The file is checked first (see {@link readHeader}).
 * @example
 * const { tensors, metadata } = io.safetensors.deserialize(bytes);
 * tensors["linear.weight"].shape; // [1, 1]
 */
export function deserialize(bytes: Uint8Array): SafetensorsContents {
  const header = readHeader(bytes);
  const tensors: Record<string, Tensor> = {};
  const dtypes: Record<string, SafetensorsDType> = {};
  for (const [name, info] of header.tensors) {
    const [begin, end] = info.dataOffsets;
    tensors[name] = decodeTensor(name, info, bytes.subarray(header.dataStart + begin, header.dataStart + end));
    dtypes[name] = info.dtype;
  }
  return { tensors, metadata: header.metadata, dtypes };
}

function decodeTensor(name: string, info: TensorInfo, raw: Uint8Array): Tensor {
  const target = READ_AS[info.dtype];
  if (target === undefined) {
    const readable = Object.keys(READ_AS).join(", ");
    return fail(`tensor '${name}' has dtype ${info.dtype}, which duograd cannot read (it reads ${readable})`);
  }
  const count = raw.length / ITEM_SIZE[info.dtype];
  // A copy of the bytes starts a fresh, aligned buffer: the tensor owns it and typed arrays can view it.
  const own = raw.slice();
  const dv = new DataView(own.buffer);
  let storage: TypedArray;
  switch (info.dtype) {
    case "F32":
      storage = LITTLE_ENDIAN ? new Float32Array(own.buffer) : Float32Array.from({ length: count }, (_, i) => dv.getFloat32(4 * i, true));
      break;
    case "F64":
      storage = LITTLE_ENDIAN ? new Float64Array(own.buffer) : Float64Array.from({ length: count }, (_, i) => dv.getFloat64(8 * i, true));
      break;
    case "F16":
      storage = Float32Array.from({ length: count }, (_, i) => halfToFloat(dv.getUint16(2 * i, true)));
      break;
    case "BF16":
      storage = Float32Array.from({ length: count }, (_, i) => bfloat16ToFloat(dv.getUint16(2 * i, true)));
      break;
    case "I32":
      storage = LITTLE_ENDIAN ? new Int32Array(own.buffer) : Int32Array.from({ length: count }, (_, i) => dv.getInt32(4 * i, true));
      break;
    case "I64":
    case "U64":
      storage = narrow64(name, info.dtype, dv, count);
      break;
    case "U32":
      storage = Int32Array.from({ length: count }, (_, i) => checkInt32(name, info.dtype, i, dv.getUint32(4 * i, true)));
      break;
    case "I16":
      storage = Int32Array.from({ length: count }, (_, i) => dv.getInt16(2 * i, true));
      break;
    case "U16":
      storage = Int32Array.from({ length: count }, (_, i) => dv.getUint16(2 * i, true));
      break;
    case "I8":
      storage = Int32Array.from({ length: count }, (_, i) => dv.getInt8(i));
      break;
    case "U8":
      storage = Int32Array.from(own);
      break;
    default: // BOOL: PyTorch writes 0 and 1; any other byte reads as true
      storage = own.map((b) => (b !== 0 ? 1 : 0));
  }
  return new Tensor(storage, info.shape, target);
}

function checkInt32(name: string, dtype: SafetensorsDType, i: number, v: number | bigint): number {
  if (v < -2147483648 || v > 2147483647) {
    fail(`tensor '${name}' (${dtype}): element ${i} is ${v}, outside the int32 range duograd stores integers in`);
  }
  return Number(v);
}

// 64-bit integers fit int32 when the high word is the low word's sign extension (I64) or zero (U64).
function narrow64(name: string, dtype: "I64" | "U64", dv: DataView, count: number): Int32Array {
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const lo = dv.getInt32(8 * i, true);
    const hi = dv.getInt32(8 * i + 4, true);
    const ok = dtype === "I64" ? hi === lo >> 31 : hi === 0 && lo >= 0;
    if (!ok) checkInt32(name, dtype, i, dtype === "I64" ? dv.getBigInt64(8 * i, true) : dv.getBigUint64(8 * i, true));
    out[i] = lo;
  }
  return out;
}

/**
 * Writes tensors as a safetensors file and returns its bytes. Each tensor is stored as its dtype
 * (float32 → F32, float64 → F64, int32 → I32, bool → BOOL) unless `dtypes` names another one
 * (F16/BF16 round to nearest even; int32 as I64 for PyTorch's int64 buffers).
 * @example
 * const bytes = io.safetensors.serialize({ w: torch.ones(2, 2) }, { metadata: { format: "pt" } });
 */
export function serialize(tensors: Record<string, Tensor>, opts: SerializeOptions = {}): Uint8Array {
  if (typeof tensors !== "object" || tensors === null) fail(`serialize expects an object of named tensors, got ${String(tensors)}`);
  const metadata = opts.metadata ?? null;
  if (metadata !== null) checkMetadata(metadata);
  const pick = opts.dtypes;
  const items: { name: string; t: Tensor; dtype: WritableDType }[] = [];
  for (const [name, t] of Object.entries(tensors)) {
    if (name === METADATA_KEY) fail(`'${METADATA_KEY}' is reserved for the metadata and cannot name a tensor`);
    if (name === "") fail("a tensor name cannot be empty");
    if (!(t instanceof Tensor)) fail(`'${name}' is not a Tensor (got ${t === null ? "null" : typeof t})`);
    const asked = typeof pick === "function" ? pick(name, t) : pick?.[name];
    const dtype = asked ?? DEFAULT_WRITE[t.dtype];
    if (!WRITABLE_FROM[t.dtype].includes(dtype)) {
      fail(`tensor '${name}': cannot write a ${t.dtype} tensor as ${dtype} (possible: ${WRITABLE_FROM[t.dtype].join(", ")})`);
    }
    items.push({ name, t, dtype });
  }
  const rank = (d: WritableDType) => SAFETENSORS_DTYPES.indexOf(d);
  // The reference's layout: larger alignment first (every tensor stays aligned), then by name.
  items.sort((a, b) => rank(b.dtype) - rank(a.dtype) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata !== null) header[METADATA_KEY] = metadata;
  let offset = 0;
  for (const { name, t, dtype } of items) {
    const size = t.numel() * ITEM_SIZE[dtype];
    header[name] = { dtype, shape: t.shape.slice(), data_offsets: [offset, offset + size] };
    offset += size;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLen = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLen + offset);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(headerLen), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLen);
  let pos = 8 + headerLen;
  for (const { t, dtype } of items) pos = encodeTensor(t, dtype, out, dv, pos);
  return out;
}

function encodeTensor(t: Tensor, dtype: WritableDType, out: Uint8Array, dv: DataView, pos: number): number {
  const s = t.storage;
  const n = s.length;
  const sameLayout = LITTLE_ENDIAN && DEFAULT_WRITE[t.dtype] === dtype;
  if (sameLayout) {
    out.set(new Uint8Array(s.buffer, s.byteOffset, s.byteLength), pos);
    return pos + s.byteLength;
  }
  switch (dtype) {
    case "F32":
      for (let i = 0; i < n; i++) dv.setFloat32(pos + 4 * i, s[i], true);
      return pos + 4 * n;
    case "F64":
      for (let i = 0; i < n; i++) dv.setFloat64(pos + 8 * i, s[i], true);
      return pos + 8 * n;
    case "F16":
      for (let i = 0; i < n; i++) dv.setUint16(pos + 2 * i, floatToHalf(s[i]), true);
      return pos + 2 * n;
    case "BF16":
      for (let i = 0; i < n; i++) dv.setUint16(pos + 2 * i, floatToBfloat16(s[i]), true);
      return pos + 2 * n;
    case "I32":
      for (let i = 0; i < n; i++) dv.setInt32(pos + 4 * i, s[i], true);
      return pos + 4 * n;
    case "I64":
      for (let i = 0; i < n; i++) {
        dv.setInt32(pos + 8 * i, s[i], true);
        dv.setInt32(pos + 8 * i + 4, s[i] < 0 ? -1 : 0, true);
      }
      return pos + 8 * n;
    case "BOOL":
      for (let i = 0; i < n; i++) out[pos + i] = s[i] ? 1 : 0;
      return pos + n;
  }
}
