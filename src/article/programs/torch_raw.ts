/**
 * The article's program 3, "PyTorch: raw parameters and backward()": a Module holding two
 * Parameters, trained by hand with loss.backward() and in-place updates under noGrad.
 */
import { torch } from "../../index.js";
import type { ProgramInput, ProgramResult } from "./types.js";

class LinearRegressionPyTorch extends torch.nn.Module {
  w = new torch.nn.Parameter(torch.empty(1, 1).uniform_(-0.1, 0.1));
  b = new torch.nn.Parameter(torch.empty(1).uniform_(-0.1, 0.1));
  forward(x: torch.Tensor) {
    return x.matmul(this.w).add(this.b);
  }
}

const squaredError = (yPred: torch.Tensor, yTrue: torch.Tensor) => torch.mean(torch.square(yPred.sub(yTrue)));

/** Fits y = w·x + b on `inputs` [n, 1] and `labels` (the article's tensors). */
export function trainRaw(
  inputs: torch.Tensor,
  labels: torch.Tensor,
  { epochs, learningRate, seed, log }: Omit<ProgramInput, "data" | "verbose">,
): ProgramResult {
  const losses: number[] = [];

  torch.manualSeed(seed);
  const torchModel = new LinearRegressionPyTorch();
  const [w, b] = torchModel.parameters();
  for (let epoch = 0; epoch < epochs; epoch++) {
    const yPred = torchModel(inputs);
    const loss = squaredError(yPred, labels);
    loss.backward();
    torch.noGrad(() => {
      w.sub_(w.grad!.mul(learningRate));
      b.sub_(b.grad!.mul(learningRate));
      w.grad!.zero_();
      b.grad!.zero_();
    });
    losses.push(loss.item());
    if (epoch % 20 === 0) log(`Epoch ${epoch} : Loss ${loss.item()}`);
  }
  return { w: w.item(), b: b.item(), losses };
}

/** The article's program: inputs and labels reshaped to [n, 1], then {@link trainRaw}. */
export function torchRaw(input: ProgramInput): ProgramResult {
  const inputs = torch.tensor(input.data.x).reshape(-1, 1);
  const labels = torch.tensor(input.data.y).reshape(-1, 1);
  return trainRaw(inputs, labels, input);
}
