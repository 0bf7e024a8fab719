/** What every article program receives and returns, so the runner can drive all five alike. */
import type { ArticleData } from "../data.js";

/** The inputs of one article program: the samples, the training settings and where to print. */
export interface ProgramInput {
  /** The samples (float32, as the article's `generate_data` returns them). */
  data: ArticleData;
  /** The article's `epochs`; the library-loop programs train `3 * epochs`, as the article does. */
  epochs: number;
  /** The article's `learning_rate`. */
  learningRate: number;
  /** Seed of the dialect's generator, set right before the model is built. */
  seed: number;
  /** Prints one line (the article's `print`). */
  log: (line: string) => void;
  /** Whether Keras' `fit` prints its progress (`verbose=1`) or nothing (`verbose=0`). */
  verbose: boolean;
}

/** What a program leaves behind: its fitted line and the loss of every epoch. */
export interface ProgramResult {
  /** Final slope, read back from the model's parameters. */
  w: number;
  /** Final intercept. */
  b: number;
  /** The training loss of each epoch, epoch 0 first (the value printed as `Loss`). */
  losses: number[];
}
