/**
 * The article's program 2, "TensorFlow: raw variables and GradientTape", line by line: a Keras
 * model holding two tf.Variables, trained by hand with tape.gradient and assign.
 * Run: node dist/examples/tf_raw.js
 */
import { tf, RandomState } from "../src/index.js";
import { generateData } from "../src/article/data.js";

// np.random.seed(0); x, y = generate_data()
const rng = new RandomState(0);
const { x, y } = generateData(rng);
const xT = tf.constant(x);
const yT = tf.constant(y);
const learningRate = 0.01;
const epochs = 100;

class LinearRegressionKeras extends tf.keras.Model {
  w = new tf.Variable(tf.random.uniform([1], -0.1, 0.1));
  b = new tf.Variable(tf.random.uniform([1], -0.1, 0.1));
  call(x: tf.Tensor) {
    return x.mul(this.w).add(this.b);
  }
}

const squaredError = (yPred: tf.Tensor, yTrue: tf.Tensor) => tf.reduceMean(tf.square(yPred.sub(yTrue)));

tf.random.setSeed(0);
const tfModel = new LinearRegressionKeras();
const [w, b] = tfModel.trainableVariables;
for (let epoch = 0; epoch < epochs; epoch++) {
  const tape = new tf.GradientTape();
  const loss = tape.record(() => {
    const predictions = tfModel(xT);
    return squaredError(predictions, yT);
  });
  const [wGrad, bGrad] = tape.gradient(loss, tfModel.trainableVariables);
  w.assign(w.sub(wGrad.mul(learningRate)));
  b.assign(b.sub(bGrad.mul(learningRate)));
  if (epoch % 20 === 0) console.log(`Epoch ${epoch} : Loss ${loss.numpy()}`);
}
console.log(`w = ${w.numpy()}, b = ${b.numpy()}`);
