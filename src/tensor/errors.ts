/** Base class of duograd's errors: the message names the op and the shapes or values involved. */
export class DuogradError extends Error {
  override name = "DuogradError";
}
/** Shapes that do not fit the op (PyTorch raises RuntimeError for these). */
export class ShapeError extends DuogradError {
  override name = "ShapeError";
}
/** A dtype the op cannot take. */
export class DTypeError extends DuogradError {
  override name = "DTypeError";
}
/** A dim or an index out of range. */
export class IndexError extends DuogradError {
  override name = "IndexError";
}
/** Autograd misuse: a freed graph, an in-place change to a saved tensor, a non-scalar backward. */
export class AutogradError extends DuogradError {
  override name = "AutogradError";
}
/** A bad argument value. */
export class ValueError extends DuogradError {
  override name = "ValueError";
}
