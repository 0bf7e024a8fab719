// safetensors on bytes: the layout of the reference implementation, round trips for every dtype,
// half/bfloat16 rounding, and a clear error for each way a file can be malformed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { io, torch, Tensor } from "../src/index.js";
import { floatToHalf, halfToFloat, floatToBfloat16, bfloat16ToFloat } from "../src/io/float16.js";

const { serialize, deserialize, readHeader, SafetensorsError } = io.safetensors;

/** A file from a header object and data bytes, laid out as the format says (header padded to 8). */
function fileOf(header: unknown, data: number[] | Uint8Array = [], headerText?: string): Uint8Array {
  let text = headerText ?? JSON.stringify(header);
  while (text.length % 8) text += " ";
  const json = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const f32le = (...vs: number[]) => [...new Uint8Array(Float32Array.from(vs).buffer)];

test("writes byte-for-byte what the reference implementation writes", () => {
  // The safetensors crate's own serialization tests: one F32 tensor, and an empty file with metadata.
  const t = torch.tensor([0, 1, 2, 3, 4, 5]).reshape(1, 2, 3);
  const bytes = serialize({ "attn.0": t });
  const expected = [
    64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100, 116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97,
    112, 101, 34, 58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125,
    0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
  ];
  assert.deepEqual([...bytes], expected);
  assert.deepEqual([...serialize({})], [8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
  const meta = serialize({}, { metadata: { framework: "pt" } });
  assert.equal(new TextDecoder().decode(meta.subarray(8)), '{"__metadata__":{"framework":"pt"}}     ');
  assert.equal(meta[0], 40);
});

test("lays tensors out by alignment then name, header padded to 8 bytes, data tiling the buffer", () => {
  const bytes = serialize({
    b: torch.ones([3], { dtype: "float32" }),
    a: torch.ones([2], { dtype: "float32" }),
    mask: torch.tensor([true, false]),
    d: torch.ones([1], { dtype: "float64" }),
    n: torch.tensor([1, 2], { dtype: "int32" }),
  });
  const h = readHeader(bytes);
  assert.equal(h.dataStart % 8, 0);
  assert.deepEqual(h.tensors.map(([n, i]) => [n, i.dtype, i.dataOffsets]), [
    ["d", "F64", [0, 8]],
    ["a", "F32", [8, 16]],
    ["b", "F32", [16, 28]],
    ["n", "I32", [28, 36]],
    ["mask", "BOOL", [36, 38]],
  ]);
});

test("round trip: every dtype reads back with equal values, and rewriting gives equal bytes", () => {
  const vals = [0, -1.5, 3.25, 65504, -0, Math.fround(1e-3), Infinity, -Infinity];
  const t32 = torch.tensor(vals);
  const t64 = torch.tensor([Math.PI, -1e300, 5e-324, 0.1], { dtype: "float64" });
  const ti = torch.tensor([0, -1, 2147483647, -2147483648], { dtype: "int32" });
  const tb = torch.tensor([true, false, true]);
  const scalar = torch.tensor(7.5);
  const empty = torch.zeros([0, 3]);
  const medium = torch.arange(0, 100, 1, { dtype: "float32" }).reshape(4, 25); // a view into the shared small-buffer slab
  const cases: [string, Tensor, io.safetensors.WritableDType, number[] | boolean[]][] = [
    ["f32", t32, "F32", vals],
    ["f64", t64, "F64", [Math.PI, -1e300, 5e-324, 0.1]],
    ["f16", t32, "F16", vals.map((v) => halfToFloat(floatToHalf(v)))],
    ["bf16", t32, "BF16", vals.map((v) => bfloat16ToFloat(floatToBfloat16(v)))],
    ["i32", ti, "I32", [0, -1, 2147483647, -2147483648]],
    ["i64", ti, "I64", [0, -1, 2147483647, -2147483648]],
    ["bool", tb, "BOOL", [true, false, true]],
    ["scalar", scalar, "F32", [7.5]],
    ["empty", empty, "F32", []],
    ["medium", medium, "F32", Array.from({ length: 100 }, (_, i) => i)],
  ];
  const tensors = Object.fromEntries(cases.map(([n, t]) => [n, t]));
  const dtypes = Object.fromEntries(cases.map(([n, , d]) => [n, d]));
  const bytes = serialize(tensors, { dtypes, metadata: { note: "round trip" } });
  const back = deserialize(bytes);
  assert.deepEqual(back.metadata, { note: "round trip" });
  for (const [name, t, dtype, expected] of cases) {
    const r = back.tensors[name];
    assert.equal(back.dtypes[name], dtype, name);
    assert.deepEqual(r.shape, t.shape, name);
    assert.equal(r.dtype, dtype === "F64" ? "float64" : dtype.startsWith("I") ? "int32" : dtype === "BOOL" ? "bool" : "float32", name);
    assert.deepEqual(r.ndim === 0 ? [r.tolist()] : (r.tolist() as unknown[]).flat(), expected, name);
  }
  // Reading and writing again with the same dtypes reproduces the file exactly.
  assert.deepEqual(serialize(back.tensors, { dtypes: back.dtypes as Record<string, io.safetensors.WritableDType>, metadata: back.metadata }), bytes);
});

test("half precision: exact values, rounding to nearest even, overflow, subnormals, NaN", () => {
  assert.equal(floatToHalf(1), 0x3c00);
  assert.equal(floatToHalf(-2), 0xc000);
  assert.equal(floatToHalf(65504), 0x7bff);
  assert.equal(floatToHalf(65520), 0x7c00, "rounds up to infinity");
  assert.equal(floatToHalf(2 ** -24), 0x0001, "smallest subnormal");
  assert.equal(floatToHalf(2 ** -26), 0x0000, "below half the smallest subnormal: zero");
  assert.equal(floatToHalf(1 + 2 ** -11), 0x3c00, "tie goes to the even neighbour");
  assert.equal(floatToHalf(1 + 3 * 2 ** -11), 0x3c02, "tie goes to the even neighbour (up)");
  assert.equal(floatToHalf(3 * 2 ** -25), 0x0002, "subnormal tie to even");
  assert.ok(Number.isNaN(halfToFloat(floatToHalf(NaN))));
  assert.equal(halfToFloat(0x7bff), 65504);
  assert.equal(halfToFloat(0x0001), 2 ** -24);
  assert.equal(halfToFloat(0xfc00), -Infinity);
  // Every half value survives half → float → half.
  for (let h = 0; h < 0x10000; h++) {
    const v = halfToFloat(h);
    if (!Number.isNaN(v)) assert.equal(floatToHalf(v), h, `half 0x${h.toString(16)}`);
  }
});

test("bfloat16: the high half of float32, rounded to nearest even", () => {
  assert.equal(floatToBfloat16(1), 0x3f80);
  assert.equal(bfloat16ToFloat(0x3f80), 1);
  assert.equal(floatToBfloat16(1 + 2 ** -8), 0x3f80, "tie to even (down)");
  assert.equal(floatToBfloat16(1 + 3 * 2 ** -8), 0x3f82, "tie to even (up)");
  assert.equal(floatToBfloat16(-Infinity), 0xff80);
  assert.ok(Number.isNaN(bfloat16ToFloat(floatToBfloat16(NaN))));
});

test("reads the other integer dtypes into int32; out-of-range 64-bit values are an error naming the tensor", () => {
  const data = [
    ...[1, 255], // U8 [2]
    ...[0xff, 0x80], // I8 [2]: -1, -128
    ...[0xff, 0xff, 0x00, 0x80], // I16 [2]: -1, -32768
    ...[0xff, 0xff, 0x01, 0x00], // U16 [2]: 65535, 1
    ...[0x05, 0, 0, 0], // U32 [1]: 5
    ...[0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // U64... as I64 [1]: -2
  ];
  const file = fileOf(
    {
      u8: { dtype: "U8", shape: [2], data_offsets: [0, 2] },
      i8: { dtype: "I8", shape: [2], data_offsets: [2, 4] },
      i16: { dtype: "I16", shape: [2], data_offsets: [4, 8] },
      u16: { dtype: "U16", shape: [2], data_offsets: [8, 12] },
      u32: { dtype: "U32", shape: [1], data_offsets: [12, 16] },
      i64: { dtype: "I64", shape: [1], data_offsets: [16, 24] },
    },
    data,
  );
  const { tensors } = deserialize(file);
  assert.deepEqual(tensors.u8.tolist(), [1, 255]);
  assert.deepEqual(tensors.i8.tolist(), [-1, -128]);
  assert.deepEqual(tensors.i16.tolist(), [-1, -32768]);
  assert.deepEqual(tensors.u16.tolist(), [65535, 1]);
  assert.deepEqual(tensors.u32.tolist(), [5]);
  assert.deepEqual(tensors.i64.tolist(), [-2]);
  assert.equal(tensors.i64.dtype, "int32");

  const big = fileOf({ steps: { dtype: "I64", shape: [2], data_offsets: [0, 16] } }, [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]);
  assert.throws(() => deserialize(big), (e: Error) => e instanceof SafetensorsError && /tensor 'steps'.*element 1 is 4294967296, outside the int32 range/.test(e.message));
  const u64 = fileOf({ n: { dtype: "U64", shape: [1], data_offsets: [0, 8] } }, [0, 0, 0, 0x80, 0, 0, 0, 0]);
  assert.throws(() => deserialize(u64), /tensor 'n'.*2147483648, outside the int32 range/);
});

test("bad files: each problem is a SafetensorsError that names it (and the tensor)", () => {
  const good = serialize({ w: torch.ones(2, 2), b: torch.zeros(2) });
  const cases: [string, Uint8Array, RegExp][] = [
    ["shorter than 8 bytes", good.subarray(0, 5), /truncated: 5 byte\(s\), less than the 8-byte header length/],
    ["header length past the end", good.subarray(0, 20), /header length \d+ runs past the end of the file \(20 bytes\)/],
    ["huge header length", (() => { const b = good.slice(); b[7] = 1; return b; })(), /header length \d+ is larger than the 100000000-byte limit/],
    ["truncated data", good.subarray(0, good.length - 4), /tensor 'w': data_offsets \[8, 24\] run past the end of the data \(20 bytes\)/],
    ["not JSON", fileOf(null, [], "{oops"), /header is not valid JSON/],
    ["not an object", fileOf(null, [], "[1, 2]"), /must be a JSON object starting with "\{"/],
    ["unknown dtype", fileOf({ x: { dtype: "F128", shape: [1], data_offsets: [0, 16] } }, new Array(16).fill(0)), /tensor 'x' has unknown dtype "F128"/],
    ["unreadable dtype", fileOf({ x: { dtype: "F8_E4M3", shape: [2], data_offsets: [0, 2] } }, [0, 0]), /tensor 'x' has dtype F8_E4M3, which duograd cannot read/],
    ["overlapping offsets", fileOf({ a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [2], data_offsets: [4, 12] } }, new Array(12).fill(0)), /tensor 'b': data_offsets \[4, 12\] overlap tensor 'a'/],
    ["a gap", fileOf({ a: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, new Array(8).fill(0)), /tensor 'a': data_offsets \[4, 8\] leave bytes 0..4 of the data unused/],
    ["out of range", fileOf({ a: { dtype: "F32", shape: [4], data_offsets: [0, 16] } }, new Array(8).fill(0)), /tensor 'a': data_offsets \[0, 16\] run past the end of the data \(8 bytes\)/],
    ["reversed offsets", fileOf({ a: { dtype: "F32", shape: [0], data_offsets: [8, 0] } }, new Array(8).fill(0)), /tensor 'a': data_offsets \[8, 0\] end before they begin/],
    ["size not matching the shape", fileOf({ a: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, new Array(8).fill(0)), /tensor 'a': shape \[3\] of dtype F32 needs 12 bytes, but data_offsets \[0, 8\] hold 8/],
    ["trailing bytes", fileOf({ a: { dtype: "F32", shape: [1], data_offsets: [0, 4] } }, new Array(8).fill(0)), /data holds 8 bytes but the tensors cover 4: 4 trailing byte/],
    ["bad shape", fileOf({ a: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, f32le(1)), /tensor 'a': shape must be an array of non-negative integers/],
    ["bad offsets", fileOf({ a: { dtype: "F32", shape: [1], data_offsets: [0] } }, f32le(1)), /tensor 'a': data_offsets must be \[begin, end\]/],
    ["metadata not strings", fileOf({ __metadata__: { epochs: 3 } }), /"__metadata__" values must be strings, but 'epochs' is 3/],
    ["metadata not an object", fileOf({ __metadata__: "pt" }), /"__metadata__" must be an object of strings/],
  ];
  for (const [what, bytes, re] of cases) {
    assert.throws(() => deserialize(bytes), (e: Error) => e instanceof SafetensorsError && re.test(e.message), what);
  }
  assert.throws(() => deserialize("not bytes" as unknown as Uint8Array), /expected the file's bytes as a Uint8Array/);
});

test("a null __metadata__ reads as no metadata (as the reference reads it)", () => {
  assert.equal(deserialize(fileOf({ __metadata__: null })).metadata, null);
});

test("writer errors: a wrong dtype conversion, the reserved name, a non-tensor", () => {
  assert.throws(() => serialize({ n: torch.tensor([1], { dtype: "int32" }) }, { dtypes: { n: "F16" } }), /tensor 'n': cannot write a int32 tensor as F16 \(possible: I32, I64\)/);
  assert.throws(() => serialize({ __metadata__: torch.ones(1) }), /reserved for the metadata/);
  assert.throws(() => serialize({ w: [1, 2] as unknown as Tensor }), /'w' is not a Tensor/);
  assert.throws(() => serialize({}, { metadata: { a: 1 as unknown as string } }), /values must be strings/);
});

test("reading copies the data: the tensors own aligned buffers even at odd offsets", () => {
  // A file inside a larger buffer at an odd byte offset: typed arrays could not view it in place.
  const bytes = serialize({ w: torch.tensor([1.5, -2.5]) });
  const host = new Uint8Array(bytes.length + 3);
  host.set(bytes, 3);
  const { tensors } = deserialize(host.subarray(3));
  assert.deepEqual(tensors.w.tolist(), [1.5, -2.5]);
  host.fill(0);
  assert.deepEqual(tensors.w.tolist(), [1.5, -2.5], "no view into the file's bytes");
});
