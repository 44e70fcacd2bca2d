/** One video of a dataset, whatever manifest format it came from. */
export interface VideoRecord {
  /** Unique within the manifest; also the LMDB cache key (e.g. Kinetics `youtubeid_000010_000020`, SSv2 `12345`). */
  id: string;
  /** Absolute path of the video file. */
  path: string;
  /** Class index into `classes` (0-based). */
  label: number;
  labelName: string;
}

/** A manifest line that could not be used. Reported, never fatal. */
export interface ManifestIssue {
  file: string;
  /** 1-based line number; 0 when the problem is the whole file or not line-bound (JSON entries use their array index + 1). */
  line: number;
  reason: string;
}

export interface Manifest {
  /** Class names, index = label. */
  classes: string[];
  records: VideoRecord[];
  issues: ManifestIssue[];
}

export type Split = 'train' | 'val' | 'test';
