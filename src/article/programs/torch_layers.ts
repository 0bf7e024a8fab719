/**
 * The article's program 5(c), "PyTorch loop with nn.MSELoss and optim.SGD": a Linear layer
 * trained with the library's loss and optimizer.
 */
import { torch } from "../../index.js";
import type { ProgramInput, ProgramResult } from "./types.js";

class LinearRegressionPyTorch extends torch.nn.Module {
  linear = new torch.nn.Linear(1, 1);
  forward(x: torch.Tensor) {
    return this.linear(x);
  }
}

/** Fits y = w·x + b for 3 × epochs with nn.MSELoss and optim.SGD. */
export function torchLayers({ data, epochs, learningRate, seed, log }: ProgramInput): ProgramResult {
  const inputs = torch.tensor(data.x).reshape(-1, 1);
  const labels = torch.tensor(data.y).reshape(-1, 1);
  const losses: number[] = [];

  torch.manualSeed(seed);
  const torchModel = new LinearRegressionPyTorch();
  const criterion = new torch.nn.MSELoss({ reduction: "mean" });
  const optimizer = new torch.optim.SGD(torchModel.parameters(), { lr: learningRate });
  for (let epoch = 0; epoch < epochs * 3; epoch++) {
    const yPred = torchModel(inputs);
    const loss = criterion(yPred, labels);
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    losses.push(loss.item());
    if (epoch % 20 === 0) log(`Epoch ${epoch} : Loss ${loss.item()}`);
  }

  const [weight, bias] = torchModel.parameters();
  return { w: weight.item(), b: bias.item(), losses };
}
