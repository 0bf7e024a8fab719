import { allocBuffer, type DType, type TypedArray } from "./dtype.js";

// V8 allocates typed arrays above ~16 elements off-heap at 300–450 ns each; small tensors instead
// take views of a shared slab. A slab lives while any view into it lives, so slabs stay small.
const SMALL = 16;
const SLAB_BYTES = 1 << 16;
const MAX_SLAB_ITEM_BYTES = 1 << 12;

let slab = new ArrayBuffer(SLAB_BYTES);
let slabOffset = 0;

/** A zeroed buffer of `n` elements; small and medium buffers are views into a shared slab. */
export function newBuffer(dtype: DType, n: number): TypedArray {
  if (n <= SMALL) return allocBuffer(dtype, n);
  const bytes = dtype === "float64" ? n * 8 : dtype === "bool" ? n : n * 4;
  if (bytes > MAX_SLAB_ITEM_BYTES) return allocBuffer(dtype, n);
  if (slabOffset + bytes > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabOffset = 0;
  }
  const off = slabOffset;
  slabOffset += (bytes + 15) & ~15; // 16-byte alignment keeps every element type aligned
  switch (dtype) {
    case "float32":
      return new Float32Array(slab, off, n);
    case "float64":
      return new Float64Array(slab, off, n);
    case "int32":
      return new Int32Array(slab, off, n);
    case "bool":
      return new Uint8Array(slab, off, n);
  }
}
