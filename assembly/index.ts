// The WebAssembly kernels of duograd's "wasm" backend (src/backend/wasm). Pointers are byte
// offsets into the memory the host imports; the host owns all allocation.
export { sgemm, scratchBytes } from "./matmul";
export { binary2d, compare2d, unary } from "./elementwise";
export { sumAxis, dotF32 } from "./reduce";
export { adamF32, kerasAdamF32, rmspropF32, adagradF32, sgdMomentumF32 } from "./optim";
export { mseSumF32, mseBackwardF32 } from "./losses";
