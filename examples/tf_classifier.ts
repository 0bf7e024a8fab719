/**
 * A small classifier in the TensorFlow/Keras dialect: an MLP on Fisher's Iris data
 * (examples/data/iris.csv), 120 flowers to train on and 30 held out, built as a Sequential model
 * and trained with compile/fit (Adam, sparse categorical cross-entropy, accuracy), then evaluated
 * on the held-out flowers.
 * Run: node dist/examples/tf_classifier.js
 */
import { readFileSync } from "node:fs";
import { tf } from "../src/index.js";

const { layers } = tf.keras;

// ---- data: four measurements and a species per row ---------------------------------------------
const SPECIES = ["Iris-setosa", "Iris-versicolor", "Iris-virginica"];
const csv = readFileSync(new URL("../../examples/data/iris.csv", import.meta.url), "utf8");
const rows = csv.trim().split("\n").slice(1).map((line) => line.split(","));
const features = tf.constant(rows.map((r) => r.slice(0, 4).map(Number)));
const species = tf.constant(rows.map((r) => SPECIES.indexOf(r[4])), tf.int32);

tf.random.setSeed(0);
const order = tf.random.shuffle(tf.range(0, rows.length));
const trainIdx = tf.slice(order, [0], [120]);
const testIdx = tf.slice(order, [120], [-1]);
let xTrain = tf.gather(features, trainIdx);
let xTest = tf.gather(features, testIdx);
const yTrain = tf.gather(species, trainIdx);
const yTest = tf.gather(species, testIdx);

// Standardise with the training set's statistics only.
const mean = tf.reduceMean(xTrain, 0, true);
const std = tf.reduceStd(xTrain, 0, true);
xTrain = tf.divide(tf.subtract(xTrain, mean), std);
xTest = tf.divide(tf.subtract(xTest, mean), std);

// ---- model -------------------------------------------------------------------------------------
const model = new tf.keras.Sequential([
  new layers.Dense(16, { activation: "relu", inputShape: [4] }),
  new layers.Dropout(0.1),
  new layers.Dense(16, { activation: "relu" }),
  new layers.Dense(3, { activation: "softmax" }),
]);
model.summary();

model.compile({
  optimizer: new tf.keras.optimizers.Adam({ learningRate: 0.01 }),
  loss: "sparse_categorical_crossentropy",
  metrics: ["accuracy"],
});

const report = new tf.keras.callbacks.LambdaCallback({
  onEpochEnd: (epoch, logs) => {
    if ((epoch + 1) % 25 === 0) console.log(`epoch ${epoch + 1}: loss ${logs!.loss.toFixed(4)}, train accuracy ${(100 * logs!.accuracy).toFixed(1)}%`);
  },
});
await model.fit(xTrain, yTrain, { epochs: 150, batchSize: 16, verbose: 0, callbacks: [report] });

const [testLoss, testAcc] = model.evaluate(xTest, yTest, { verbose: 0 }) as number[];
console.log(`test loss ${testLoss.toFixed(4)}, test accuracy: ${(100 * testAcc).toFixed(1)}% (${Math.round(testAcc * 30)} of 30 held-out flowers)`);
const predicted = tf.argmax(model.predict(xTest) as tf.Tensor, 1);
console.log(`first predictions: ${(predicted.numpy() as number[]).slice(0, 10).map((i) => SPECIES[i]).join(", ")}`);
