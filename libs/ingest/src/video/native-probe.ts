/**
 * The probe's facts from the in-process demuxer (native-decode.ts `probeFacts`), put in the shape probe.ts reads from
 * ffmpeg's printout: the `Input #0` header as the bundled ffmpeg 4.1 prints it (rates rounded as it prints them,
 * duration to the centisecond) and the packet table of its stream copy (`-map 0:v:0 -c copy -copyts -f framecrc`).
 * So a file gets the same VideoInfo whichever way it is probed (probe.test.ts checks this on every kind of test file).
 *
 * Pure functions. `nativeProbeFacts` declines (undefined) whenever the two could differ, and probe.ts then runs ffmpeg:
 * the demuxer logged a warning or error or stopped early, a packet has no pts or dts, timestamps that ffmpeg would
 * warn about (dts going back, pts before dts), no usable video stream. What remains are sound files, which is what a
 * dataset holds; ffmpeg keeps the odd ones and words their errors.
 */
import { normaliseDegrees, type HeaderStream, type InputHeader, type PacketLine, type PacketTable } from './ffmpeg-log';
import type { NativeProbe } from './native-decode';

/** A rate as ffmpeg's `dump.c` prints it (`print_fps`: 2 decimals, integers bare, `k` for thousands), read back. */
export function printedRate([num, den]: [number, number]): number {
  if (!num || !den) return 0;
  const d = num / den;
  const v = Math.round(d * 100);
  if (!v) return Number(d.toFixed(4));
  if (v % 100) return Number(d.toFixed(2));
  if (v % 100000) return Number(d.toFixed(0));
  return Number((d / 1000).toFixed(0)) * 1000;
}

/** The header's `Duration:` as printed (rounded to the centisecond, ffmpeg adds 5 ms and truncates); 0 for N/A. */
export function printedDuration(us: number): number {
  if (!Number.isFinite(us)) return 0;
  const d = us + 5000;
  return Math.trunc(d / 1e4) / 100;
}

/**
 * The packets ffmpeg's stream copy passes on, as `framecrc` lists them: the packets before the first keyframe are
 * dropped (ffmpeg.c `do_streamcopy`; those before time 0 are kept, `copy_prior_start` defaults on). Undefined when a
 * timestamp is missing or would make ffmpeg warn (dts going back, pts before dts): its table could differ from ours.
 */
export function streamCopyPackets(pts: Float64Array, dts: Float64Array, flags: Uint8Array): PacketLine[] | undefined {
  const out: PacketLine[] = [];
  for (let i = 0; i < pts.length; i++) {
    if (Number.isNaN(pts[i]) || Number.isNaN(dts[i])) return undefined;
    if (!out.length && !(flags[i] & 1)) continue;
    const last = out[out.length - 1];
    if (pts[i] < dts[i] || (last && dts[i] < (last.dts as number))) return undefined;
    out.push({ pts: pts[i], dts: dts[i], flags: flags[i] });
  }
  return out;
}

function gcd(a: number, b: number): number {
  return b ? gcd(b, a % b) : a;
}

/** The first video stream as the header line reads. */
function videoStream(v: NonNullable<NativeProbe['video']>): HeaderStream {
  let rotation = 0;
  if (v.rotateTag !== null && Number.isFinite(Number(v.rotateTag))) rotation = normaliseDegrees(Number(v.rotateTag));
  // the display matrix line comes after the tag, as in ffmpeg's printout; ffmpeg prints its angle to 2 decimals
  if (v.matrixRotation !== null) rotation = normaliseDegrees(-Number(v.matrixRotation.toFixed(2)));
  return {
    index: v.index,
    type: 'Video',
    codec: v.codec,
    width: v.width,
    height: v.height,
    fps: printedRate(v.avgFrameRate),
    tbr: printedRate(v.rFrameRate),
    tbn: v.timeBase[1] / v.timeBase[0],
    attachedPic: v.attachedPic,
    rotation,
  };
}

export interface ProbeFacts {
  header: InputHeader;
  video: HeaderStream;
  table: PacketTable;
  /** What ffmpeg logged after the header while copying the packets: empty for native facts (they decline otherwise). */
  afterHeader: string;
}

/** The facts of a sound file from the in-process demuxer, or undefined when ffmpeg must be asked (file comment). */
export function nativeProbeFacts(raw: NativeProbe): ProbeFacts | undefined {
  const v = raw.video;
  if (!v || v.attachedPic || !(v.width > 0 && v.height > 0) || raw.readError !== null || raw.log !== '') return undefined;
  if (!(v.timeBase[0] > 0 && v.timeBase[1] > 0)) return undefined;
  const packets = streamCopyPackets(raw.pts, raw.dts, raw.flags);
  if (!packets || !packets.length) return undefined;
  const video = videoStream(v);
  const g = gcd(v.timeBase[0], v.timeBase[1]);
  return {
    header: {
      format: raw.format,
      durationSec: printedDuration(raw.durationUs),
      startTime: Number.isFinite(raw.startUs) ? raw.startUs / 1e6 : 0,
      streams: [video],
    },
    video,
    // framecrc prints the time base reduced (ffmpeg's stream copy sets it with av_add_q)
    table: { timeBase: [v.timeBase[0] / g, v.timeBase[1] / g], packets },
    afterHeader: '',
  };
}
