/**
 * Deterministic random generators that reproduce NumPy's legacy `RandomState`
 * and PyTorch 1.13's CPU generator bit for bit. They work on plain numbers and
 * typed arrays; the tensor layer wraps them.
 */
export { MT19937, MT_N, type MT19937State } from "./mt19937.js";
export { RandomState, sizeToCount, type RandomStateSnapshot, type Size } from "./numpy.js";
export {
  TorchGenerator,
  TORCH_DEFAULT_SEED,
  type FloatArray,
  type FloatDType,
  type TorchGeneratorState,
} from "./torch_generator.js";
export { fma, fmaf } from "./fma.js";
