/**
 * The eight motion classes of the sample dataset. They come in four pairs; in each pair the second
 * ("negative") class is rendered as the exact time reversal of the first ("positive") one under the same
 * random draws, so one frame never tells the two apart: only the order of frames does.
 *
 * Order matters: a dataset with N classes uses the first N of this list.
 *
 * Beware horizontal flips: an h-flipped `moving left` clip is a `moving right` clip, and an h-flipped
 * clockwise rotation is a counterclockwise one (`hflipPartner`). A training pipeline that flips these
 * clips must either skip the flip or swap the label to `hflipPartner` (SSv2 pipelines never flip).
 */

/** What changes over time: x position, y position, size, or orientation. */
export type MotionKind = 'translate-x' | 'translate-y' | 'scale' | 'rotate';

export interface SampleClass {
  /** Kinetics-style label (lowercase words, spaces). */
  name: string;
  motion: MotionKind;
  /**
   * +1: the "positive" class (x, y, size or angle grows with time; angle grows clockwise on screen).
   * -1: its time reversal.
   */
  direction: 1 | -1;
  /** SSv2-style template with a `[something]` slot. */
  template: string;
  /** The class this one becomes under a horizontal flip (itself when flip-invariant). */
  hflipPartner: string;
}

export const SAMPLE_CLASSES: readonly SampleClass[] = [
  { name: 'moving left', motion: 'translate-x', direction: -1, template: 'Moving [something] from right to left', hflipPartner: 'moving right' },
  { name: 'moving right', motion: 'translate-x', direction: 1, template: 'Moving [something] from left to right', hflipPartner: 'moving left' },
  { name: 'moving up', motion: 'translate-y', direction: -1, template: 'Moving [something] up', hflipPartner: 'moving up' },
  { name: 'moving down', motion: 'translate-y', direction: 1, template: 'Moving [something] down', hflipPartner: 'moving down' },
  { name: 'growing', motion: 'scale', direction: 1, template: 'Approaching [something] with your camera', hflipPartner: 'growing' },
  { name: 'shrinking', motion: 'scale', direction: -1, template: 'Moving away from [something] with your camera', hflipPartner: 'shrinking' },
  { name: 'rotating clockwise', motion: 'rotate', direction: 1, template: 'Rotating [something] clockwise', hflipPartner: 'rotating counterclockwise' },
  { name: 'rotating counterclockwise', motion: 'rotate', direction: -1, template: 'Rotating [something] counterclockwise', hflipPartner: 'rotating clockwise' },
];

/** Looks a class up by name or index; throws RangeError on an unknown one. */
export function sampleClass(cls: string | number): SampleClass {
  const found = typeof cls === 'number' ? SAMPLE_CLASSES[cls] : SAMPLE_CLASSES.find((c) => c.name === cls);
  if (!found) {
    throw new RangeError(`unknown sample class ${JSON.stringify(cls)} (known: ${SAMPLE_CLASSES.map((c) => c.name).join(', ')})`);
  }
  return found;
}

/** The class whose clips are this class's clips played backwards. */
export function timeReversedClass(cls: string | number): SampleClass {
  const c = sampleClass(cls);
  return SAMPLE_CLASSES.find((o) => o.motion === c.motion && o.direction === -c.direction)!;
}
