/**
 * What the evaluation maths refuses (a view over the count, a duplicate view, a non-finite logit, a label out
 * of range, ...). The message names the video (its index, and its id when the caller gave names), so the
 * user can find it in the manifest.
 */
export class EvaluationError extends Error {
  override readonly name = 'EvaluationError';

  constructor(
    message: string,
    /** Index of the video concerned (into the loader's records), when there is one. */
    readonly video?: number,
  ) {
    super(message);
  }
}

/** `video 12` or `video 12 ("abc/xyz.mp4")`: how errors and reports name a video. */
export function videoLabel(video: number, names?: readonly string[]): string {
  const name = names?.[video];
  return name === undefined ? `video ${video}` : `video ${video} (${JSON.stringify(name)})`;
}
