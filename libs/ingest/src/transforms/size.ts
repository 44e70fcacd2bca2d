/**
 * The PySlowFast short-side size rule: the short side becomes `shortSide`, the long side
 * `floor(long * shortSide / short)`, so the aspect ratio is kept and the long side rounds down.
 * Computed in integers (`long * shortSide` is exact, and the quotient of two small integers is never within an ulp
 * of the next integer), so it never lands one pixel off through float error. A square frame becomes
 * `shortSide x shortSide`; a frame whose short side already is `shortSide` keeps its size.
 */
import { requirePositiveInt } from './check';

/** Returns `[height, width]` after scaling the short side of an `h x w` frame to `shortSide`. */
export function resizedSize(h: number, w: number, shortSide: number): [number, number] {
  requirePositiveInt(h, 'resizedSize', 'frame height');
  requirePositiveInt(w, 'resizedSize', 'frame width');
  requirePositiveInt(shortSide, 'resizedSize', 'short side');
  if (h <= w) return [shortSide, Math.floor((w * shortSide) / h)];
  return [Math.floor((h * shortSide) / w), shortSide];
}
