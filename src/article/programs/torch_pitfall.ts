/**
 * The broadcasting pitfall the article walks into: its PyTorch raw program with labels left at
 * shape [n] while the predictions are [n, 1]. `yPred.sub(labels)` broadcasts to [n, n], the loss
 * compares every prediction with every label, and training quietly heads to w = 0, b = mean(y).
 */
import { torch, setWarningHandler } from "../../index.js";
import { trainRaw } from "./torch_raw.js";
import type { ProgramInput, ProgramResult } from "./types.js";

/** This program's source file, shown in the report. */
export const PITFALL_FILE = "torch_pitfall.ts";

/** The pitfall's fitted line and losses, the shapes involved and what nn.MSELoss warns. */
export interface PitfallResult extends ProgramResult {
  predShape: number[];
  labelsShape: number[];
  diffShape: number[];
  /** The warnings `torch.nn.MSELoss` raised on the same predictions and labels. */
  warnings: string[];
}

/** Trains the raw program on labels of shape [n] and shows what went wrong. */
export function torchPitfall(input: ProgramInput): PitfallResult {
  const inputs = torch.tensor(input.data.x).reshape(-1, 1);
  const labels = torch.tensor(input.data.y); // the article's .reshape(-1, 1) left out: shape [n]
  const result = trainRaw(inputs, labels, input);

  // The trained line's predictions, [n, 1], against the labels, [n].
  const yPred = inputs.mul(result.w).add(result.b);
  const diff = yPred.sub(labels);

  // torch.mean(torch.square(diff)) has no way to know; the library loss warns, as PyTorch's does.
  const warnings: string[] = [];
  const previous = setWarningHandler((message) => warnings.push(message));
  try {
    const criterion = new torch.nn.MSELoss();
    criterion(yPred, labels);
  } finally {
    setWarningHandler(previous);
  }
  return { ...result, predShape: [...yPred.shape], labelsShape: [...labels.shape], diffShape: [...diff.shape], warnings };
}
