/**
 * One error type for everything ingest refuses: it names the item (a file, a manifest line, a video id),
 * says what is wrong and, where there is one, what to do about it. Loaders and the cache builder catch it
 * per item, skip the item and list it in their report; nothing else in the run stops.
 */
export type IngestErrorKind =
  | 'missing-file'
  | 'empty-file'
  | 'not-a-video'
  | 'no-video-stream'
  | 'corrupt'
  | 'too-short'
  | 'decode-failed'
  | 'bad-manifest-line'
  | 'unknown-label'
  | 'bad-config'
  | 'cache'
  /** ffmpeg was stopped by a signal (Ctrl-C): nothing is known to be wrong with the item; do it again. */
  | 'interrupted';

export class IngestError extends Error {
  override readonly name = 'IngestError';

  constructor(
    readonly kind: IngestErrorKind,
    /** The item: a path, `file:line`, or a video id. */
    readonly item: string,
    /** What is wrong with it, in plain words. */
    readonly reason: string,
    /** What the user can do, if anything. */
    readonly hint?: string,
  ) {
    super(`${item}: ${reason}${hint ? ` (${hint})` : ''}`);
  }
}

/** A skipped item as listed in reports: enough to find it and to know why. */
export interface FailedItem {
  item: string;
  kind: IngestErrorKind | 'error';
  reason: string;
}

export function toFailedItem(item: string, err: unknown): FailedItem {
  if (err instanceof IngestError) return { item: err.item, kind: err.kind, reason: err.reason };
  return { item, kind: 'error', reason: err instanceof Error ? err.message : String(err) };
}
