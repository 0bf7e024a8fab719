/**
 * The article's program 3, "PyTorch: raw parameters and backward()", line by line.
 * Run: node dist/examples/torch_raw.js
 */
import { torch, RandomState } from "../src/index.js";
import { generateData } from "../src/article/data.js";

const rng = new RandomState(0); // np.random.seed(0)
const { x, y } = generateData(rng);
const inputs = torch.tensor(x).reshape(-1, 1);
const labels = torch.tensor(y).reshape(-1, 1);
const [learningRate, epochs] = [0.01, 100];

class LinearRegressionPyTorch extends torch.nn.Module {
  w = new torch.nn.Parameter(torch.empty(1, 1).uniform_(-0.1, 0.1));
  b = new torch.nn.Parameter(torch.empty(1).uniform_(-0.1, 0.1));
  forward(x: torch.Tensor) {
    return x.matmul(this.w).add(this.b);
  }
}

const squaredError = (yPred: torch.Tensor, yTrue: torch.Tensor) => torch.mean(torch.square(yPred.sub(yTrue)));

torch.manualSeed(0);
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
  if (epoch % 20 === 0) console.log(`Epoch ${epoch} : Loss ${loss.item()}`);
}
console.log(`w = ${w.item()}, b = ${b.item()}`);
