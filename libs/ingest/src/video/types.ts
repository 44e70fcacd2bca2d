/** What `probeVideo` learns about a file (first video stream). */
export interface VideoInfo {
  /** Number of video frames (packets of the first video stream, counted by ffmpeg without decoding). */
  frames: number;
  /** Average frame rate of the stream (r_frame_rate as ffmpeg prints it, e.g. 30, 29.97). */
  fps: number;
  width: number;
  height: number;
  /** ffmpeg's codec name: h264, vp9, vp8, mpeg4, mjpeg, ... */
  codec: string;
  /** Container duration in seconds (0 when unknown). */
  durationSec: number;
  /** Stream start time in seconds (0 for most files; mp4 edit lists and some webm differ). */
  startTime: number;
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
