/** What `probeVideo` learns about a file (first video stream). */
export interface VideoInfo {
  /**
   * Number of video frames a full decode shows (`-vsync 0`): the shown packets of the first video stream, counted by
   * a stream copy without decoding, or by decoding when the packets cannot be trusted (see `countedBy`, probe.ts).
   */
  frames: number;
  /**
   * Frame rate of the stream as ffmpeg prints it (`fps`, else `tbr`), NTSC rates as the exact fraction
   * (29.97 -> 30000/1001 = 29.97002997...).
   */
  fps: number;
  width: number;
  height: number;
  /** ffmpeg's codec name: h264, vp9, vp8, mpeg4, mjpeg, ... */
  codec: string;
  /** Container duration in seconds (0 when unknown). */
  durationSec: number;
  /** Stream start time in seconds (0 for most files; mp4 edit lists and some webm differ). */
  startTime: number;
  /**
   * Presentation timestamp of every frame as stored in the file, in `timeBase` ticks, frame 0 first (ascending).
   * `decodeFrames` seeks to and picks frames by these. Absent when the file has no usable timestamps (AVI with
   * B-frames, raw streams): `decodeFrames` then decodes from the first frame and picks frames by decode order.
   */
  framePts?: number[];
  /** Time base of `framePts` as `[num, den]`: seconds = pts * num / den. */
  timeBase?: [number, number];
  /** Container start time in seconds (earliest start of all streams), the origin of ffmpeg's `-ss`. */
  formatStartTime?: number;
  /** Container rotation in degrees (0, 90, 180, 270); `width`/`height` are already the displayed (rotated) size. */
  rotation?: number;
  /** How `frames` was counted: the container's packets (stream copy, fast) or a full decode. */
  countedBy?: 'packets' | 'decode';
  /**
   * false when the container's packet index cannot be trusted (no or duplicate timestamps, a stream that does not
   * start at a keyframe, demuxer warnings): `decodeFrames` then never seeks, it decodes from the first frame.
   */
  seekable?: boolean;
}

/** Frames as one contiguous RGB uint8 buffer, layout `[T, H, W, 3]`. */
export interface FrameBatch {
  data: Uint8Array;
  /** T */
  frames: number;
  height: number;
  width: number;
}

/** How decoded frames are sized. Omitted: native size. */
export type FrameSize =
  | { shortSide: number } // keep aspect: short side to this, long side floor(long * shortSide / short) (PySlowFast)
  | { width: number; height: number };
