/**
 * Numerically stable softmax in float64: `exp(x - max) / sum(exp(x - max))`. Logits of 1000 (or -1000) give
 * the same result as logits of 0; they never overflow to Infinity/NaN. Non-finite logits are refused: a NaN
 * means a diverged network and must not turn silently into a score.
 */

/**
 * Softmax of `logits[offset .. offset + n)` written to `out[outOffset .. outOffset + n)`; returns `out`.
 * Throws a RangeError (naming the class index) on a NaN or infinite logit, leaving `out` untouched.
 */
export function softmaxInto(logits: ArrayLike<number>, offset: number, n: number, out: Float64Array, outOffset = 0): Float64Array {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`softmax needs at least one class, got ${n}`);
  if (offset < 0 || offset + n > logits.length) {
    throw new RangeError(`softmax: logits [${offset}, ${offset + n}) lie outside an array of ${logits.length}`);
  }
  let max = -Infinity;
  for (let c = 0; c < n; c++) {
    const x = logits[offset + c];
    if (!Number.isFinite(x)) throw new RangeError(`logit of class ${c} is ${x}`);
    if (x > max) max = x;
  }
  let sum = 0;
  for (let c = 0; c < n; c++) {
    const e = Math.exp(logits[offset + c] - max);
    out[outOffset + c] = e;
    sum += e;
  }
  // sum >= 1: the arg-max term is exp(0)
  for (let c = 0; c < n; c++) out[outOffset + c] /= sum;
  return out;
}

/** Softmax of a whole logit vector, as a new Float64Array. */
export function softmax(logits: ArrayLike<number>): Float64Array {
  return softmaxInto(logits, 0, logits.length, new Float64Array(logits.length));
}
