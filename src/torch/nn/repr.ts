// Python's text for the values PyTorch prints in module reprs (`Linear(in_features=1, …, bias=True)`,
// `eps=1e-05`, `kernel_size=(3, 3)`), so printed models read as they do in PyTorch.

/** A number as Python prints a float: `1.0`, `0.01`, `1e-05`. */
export function pyFloat(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  const [mant, e] = v.toExponential().split("e");
  const exp = Number(e);
  if (exp >= -4 && exp < 16) {
    const s = String(v);
    return s.includes(".") ? s : `${s}.0`;
  }
  return `${mant}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
}

/** True/False. */
export function pyBool(v: boolean): string {
  return v ? "True" : "False";
}

/** A tuple of ints: `(3, 3)`, `(3,)`. */
export function pyTuple(v: readonly number[]): string {
  return v.length === 1 ? `(${v[0]},)` : `(${v.join(", ")})`;
}

/** An int or a tuple of ints, as given. */
export function pyIntOrTuple(v: number | readonly number[]): string {
  return typeof v === "number" ? String(v) : pyTuple(v);
}
