/**
 * A small classifier in the PyTorch dialect: an MLP on Fisher's Iris data (examples/data/iris.csv),
 * 120 flowers to train on and 30 held out, trained with Adam and cross entropy over a shuffled
 * DataLoader, then evaluated on the held-out flowers.
 * Run: node dist/examples/torch_classifier.js
 */
import { readFileSync } from "node:fs";
import { torch } from "../src/index.js";

const F = torch.nn.functional;
const { nn, optim } = torch;
const { DataLoader, TensorDataset } = torch.utils.data;

// ---- data: four measurements and a species per row ---------------------------------------------
const SPECIES = ["Iris-setosa", "Iris-versicolor", "Iris-virginica"];
const csv = readFileSync(new URL("../../examples/data/iris.csv", import.meta.url), "utf8");
const rows = csv.trim().split("\n").slice(1).map((line) => line.split(","));
const features = torch.tensor(rows.map((r) => r.slice(0, 4).map(Number)));
const species = torch.tensor(rows.map((r) => SPECIES.indexOf(r[4])), { dtype: torch.int64 });

torch.manualSeed(0);
const order = torch.randperm(rows.length);
const trainIdx = order.index(":120");
const testIdx = order.index("120:");
let xTrain = features.indexSelect(0, trainIdx);
let xTest = features.indexSelect(0, testIdx);
const yTrain = species.indexSelect(0, trainIdx);
const yTest = species.indexSelect(0, testIdx);

// Standardise with the training set's statistics only.
const mu = xTrain.mean(0, true);
const sigma = xTrain.std(0, { keepdim: true });
xTrain = xTrain.sub(mu).div(sigma);
xTest = xTest.sub(mu).div(sigma);

// ---- model -------------------------------------------------------------------------------------
class IrisNet extends nn.Module {
  fc1 = new nn.Linear(4, 16);
  fc2 = new nn.Linear(16, 16);
  out = new nn.Linear(16, 3);
  dropout = new nn.Dropout(0.1);
  forward(x: torch.Tensor): torch.Tensor {
    x = this.dropout(F.relu(this.fc1(x)));
    x = F.relu(this.fc2(x));
    return this.out(x);
  }
}

const model = new IrisNet();
console.log(String(model));
const criterion = new nn.CrossEntropyLoss();
const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
const scheduler = new optim.lrScheduler.StepLR(optimizer, { stepSize: 50, gamma: 0.5 });
const loader = new DataLoader(new TensorDataset(xTrain, yTrain), { batchSize: 16, shuffle: true });

const accuracy = (logits: torch.Tensor, y: torch.Tensor) => logits.argmax(1).eq(y).float().mean().item();

for (let epoch = 1; epoch <= 150; epoch++) {
  model.train();
  let total = 0;
  for (const [xb, yb] of loader) {
    const loss = criterion(model(xb), yb);
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    total += loss.item() * xb.shape[0];
  }
  scheduler.step();
  if (epoch % 25 === 0) {
    model.eval();
    const trainAcc = torch.noGrad(() => accuracy(model(xTrain), yTrain));
    console.log(`epoch ${epoch}: loss ${(total / xTrain.shape[0]).toFixed(4)}, train accuracy ${(100 * trainAcc).toFixed(1)}%, lr ${scheduler.getLastLr()[0]}`);
  }
}

model.eval();
const testAcc = torch.noGrad(() => accuracy(model(xTest), yTest));
console.log(`test accuracy: ${(100 * testAcc).toFixed(1)}% (${Math.round(testAcc * yTest.shape[0])} of ${yTest.shape[0]} held-out flowers)`);
