/**
 * The article's programs 4 and 5(c): a model holding an nn.Linear, trained with nn.MSELoss and
 * optim.SGD, line by line. Also shows the broadcasting pitfall MSELoss warns about.
 * Run: node dist/examples/torch_layers.js
 */
import { torch, RandomState } from "../src/index.js";
import { generateData } from "../src/article/data.js";

const rng = new RandomState(0); // np.random.seed(0)
const { x, y } = generateData(rng);
const inputs = torch.tensor(x).reshape(-1, 1);
const labels = torch.tensor(y).reshape(-1, 1);
const [learningRate, epochs] = [0.01, 100];

class LinearRegressionPyTorch extends torch.nn.Module {
  linear = new torch.nn.Linear(1, 1);
  forward(x: torch.Tensor) {
    return this.linear(x);
  }
}

torch.manualSeed(0);
const torchModel = new LinearRegressionPyTorch();
console.log(String(torchModel));
const criterion = new torch.nn.MSELoss({ reduction: "mean" });
const optimizer = new torch.optim.SGD(torchModel.parameters(), { lr: learningRate });
for (let epoch = 0; epoch < epochs * 3; epoch++) {
  const yPred = torchModel(inputs);
  const loss = criterion(yPred, labels);
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
  if (epoch % 20 === 0) console.log(`Epoch ${epoch} : Loss ${loss.item()}`);
}
const [w, b] = torchModel.parameters();
console.log(`w = ${w.item()}, b = ${b.item()}`);

// The pitfall: labels of shape [200] against predictions [200, 1] broadcast to [200, 200].
// MSELoss warns, as PyTorch does, and the loss is not the one intended.
const flatLabels = torch.tensor(y);
const wrong = criterion(torchModel(inputs), flatLabels);
console.log(`loss with labels of shape [${flatLabels.shape}]: ${wrong.item()} (intended: ${criterion(torchModel(inputs), labels).item()})`);
