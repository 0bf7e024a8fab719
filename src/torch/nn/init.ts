// torch.nn.init under PyTorch's names; the initialisers themselves are the shared core's.
import { Tensor } from "../../tensor/tensor.js";
import { calculateFanInAndFanOut as fans } from "../../nn/init.js";

export {
  uniform_, normal_, constant_, zeros_, ones_, xavierUniform_, xavierNormal_, kaimingUniform_, kaimingNormal_, calculateGain,
  type KaimingOptions, type Nonlinearity, type FanMode,
} from "../../nn/init.js";

/** Fan-in and fan-out of a weight tensor (or shape), as PyTorch computes them for its initialisers. */
export function calculateFanInAndFanOut(t: Tensor | readonly number[]): { fanIn: number; fanOut: number } {
  return fans(t instanceof Tensor ? t.shape : t);
}
