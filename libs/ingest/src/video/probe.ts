/**
 * probeVideo: what a video file holds (first video stream), without ffprobe (the bundled ffmpeg 4.1 has none).
 *
 * In process first: when the libav addon is built, its demuxer reads the header and the packets (native-probe.ts puts
 * them in the shape of ffmpeg's printout below, so the result is the same; a file it cannot read cleanly goes to
 * ffmpeg, which also words the errors). That saves an ffmpeg process per video.
 *
 * Else one ffmpeg run, `-map 0:v:0 -c copy -f framecrc -`: a stream copy, so nothing is decoded (about 10 ms for a
 * 10 s clip). Its stderr carries the `Input #0` header (codec, size, rate, duration, start); its stdout one line per
 * packet with pts and flags, from which come the exact frame count and every frame's presentation time.
 *
 * Counting packets equals a full decode count (`-vsync 0`) except in these cases, found by measurement:
 *  - mp4 edit lists (e.g. a `-ss ... -c copy` cut that starts mid-GOP): the packets before the edit are demuxed to
 *    feed the decoder but never shown. framecrc marks them with the discard flag (0x4), and they are not counted
 *    (trimmed h264 mp4: 90/66 packets, 60 shown, 60 counted).
 *  - truncated files whose index is intact (faststart mp4 cut short): the demuxer reports `partial file`; the last
 *    packet is incomplete (61 packets, 60 decodable). This is refused as 'corrupt' (truncated).
 *  - no presentation times (AVI with B-frames stores none), duplicate times, or a stream that does not start at a
 *    keyframe (decoders drop what precedes it): the packets cannot be trusted, and the frames are counted by a full
 *    decode instead (`-vsync 0 -vf showinfo -f null -`, which also yields the decoded frames' timestamps).
 *  - bytes damaged inside the video data (container intact): a copy cannot see it; a decode drops frames (120
 *    packets, 114 frames in a test). Such files probe as clean; the decoders detect it (decodeAll/decodeStream throw
 *    'decode-failed' when they get fewer frames than `frames`; decodeFrames names the indices it cannot decode).
 *    `countBy: 'decode'` counts by decoding instead, so `frames` and `framePts` are what decodes.
 *
 * `seekable` tells decodeFrames whether it may seek: only in containers with a keyframe index (mp4/mov, Matroska/
 * WebM, AVI) whose packets agree with decoding. An h264 mpeg-ts seek with `-ss` landed on the keyframe after the
 * wanted frame in a test (ts has no index; ffmpeg bisects on timestamps), and seeks that land between keyframes can
 * show broken frames with codecs that do not wait for a keyframe. Such files are decoded from the start.
 */
import { IngestError } from '../errors';
import { ffmpegToBuffer } from './ffmpeg';
import { DAMAGE_PATTERNS, parseInputHeader, parsePacketTable, parseShowinfo, snapNtscRate, type PacketTable } from './ffmpeg-log';
import { probeFactsNative } from './native-decode';
import { nativeProbeFacts, type ProbeFacts } from './native-probe';
import { checkInputFile, ffmpegInput, HINT_TRUNCATED, stderrTail, toIngestError } from './input-errors';
import type { VideoInfo } from './types';

export interface ProbeOptions {
  /** Fewer frames than this is 'too-short' (default 8, the frames of one clip). */
  minFrames?: number;
  /**
   * 'auto' (default): count the container's packets, and decode fully only when they cannot be trusted (see the file
   * comment). 'decode': always count by a full decode (slower: decodes the whole stream).
   */
  countBy?: 'auto' | 'decode';
}

/** Containers whose seeking uses a stored index of keyframes (mp4/mov family, Matroska/WebM, AVI). */
const INDEXED_FORMATS = /^(mov,mp4|matroska|avi$)/;

interface FrameCount {
  frames: number;
  /** Presentation timestamps in stream ticks, ascending; undefined when missing or not strictly increasing. */
  framePts?: number[];
}

/** The timestamps sorted if every one is present and no two are equal, else undefined. */
function increasingPts(ticks: Array<number | null>): number[] | undefined {
  if (ticks.some((t) => t === null || !Number.isSafeInteger(t))) return undefined;
  const sorted = (ticks as number[]).slice().sort((a, b) => a - b);
  for (let i = 1; i < sorted.length; i++) if (sorted[i] <= sorted[i - 1]) return undefined;
  return sorted;
}

/** Counts from the stream copy's packet lines; undefined when they cannot be trusted to equal a decode. */
function countPackets(table: PacketTable, stderrAfterHeader: string): FrameCount | undefined {
  if (!table.timeBase || table.packets.length === 0) return undefined;
  if (!(table.packets[0].flags & 1)) return undefined; // not starting at a keyframe: decoders drop the lead-in
  if (/error|invalid|non-monoton|corrupt/i.test(stderrAfterHeader)) return undefined;
  const shown = table.packets.filter((p) => !(p.flags & 4));
  const pts = increasingPts(shown.map((p) => p.pts));
  if (!pts) return undefined;
  return { frames: shown.length, framePts: pts };
}

async function countByDecoding(file: string, abs: string, haveTimeBase: boolean): Promise<FrameCount> {
  let stderr: string;
  try {
    ({ stderr } = await ffmpegToBuffer({
      input: ffmpegInput(abs),
      inputOptions: ['-nostats', '-copyts'],
      outputOptions: ['-map', '0:v:0', '-an', '-sn', '-dn', '-vsync', '0', '-vf', 'showinfo', '-f', 'null'],
      stderrLines: 0,
    }));
  } catch (err) {
    throw await toIngestError(file, abs, err, 'corrupt', true);
  }
  const shown = parseShowinfo(stderr);
  return { frames: shown.length, framePts: haveTimeBase ? increasingPts(shown.map((f) => f.pts)) : undefined };
}

function samePts(a: FrameCount, b: FrameCount): boolean {
  return a.frames === b.frames && !!a.framePts && !!b.framePts && a.framePts.every((p, i) => p === b.framePts?.[i]);
}

/** Average rate from the frame timestamps (for streams whose header prints no rate). */
function rateFromPts(pts: number[] | undefined, tb: [number, number] | undefined): number {
  if (!pts || !tb || pts.length < 2) return 0;
  return ((pts.length - 1) * tb[1]) / ((pts[pts.length - 1] - pts[0]) * tb[0]);
}

/** Probes run so far in this thread, by prober (the tests check which one served; benchmarks report it). */
export const probeRuns = { native: 0, ffmpeg: 0 };

/** The facts from ffmpeg's stream copy: its header on stderr, its packet table on stdout. Throws for unusable files. */
async function ffmpegFacts(file: string, abs: string): Promise<ProbeFacts> {
  let stdout: string;
  let stderr: string;
  try {
    const out = await ffmpegToBuffer({
      input: ffmpegInput(abs),
      // -copyts: timestamps as stored in the file (decodeFrames matches decoded frames against them).
      inputOptions: ['-nostats', '-copyts'],
      outputOptions: ['-map', '0:v:0', '-an', '-sn', '-dn', '-c', 'copy', '-f', 'framecrc'],
      stderrLines: 0,
    });
    stdout = out.stdout.toString('latin1');
    stderr = out.stderr;
  } catch (err) {
    throw await toIngestError(file, abs, err, 'corrupt');
  }
  const header = parseInputHeader(stderr);
  const video = header?.streams.find((s) => s.type === 'Video');
  if (!header || !video) throw new IngestError('corrupt', file, `ffmpeg printed no video stream header: ${stderrTail(stderr)}`);
  if (video.attachedPic) {
    throw new IngestError('no-video-stream', file, 'its only video stream is a cover picture', 'it holds audio; drop it from the manifest');
  }
  if (!(video.width > 0 && video.height > 0)) throw new IngestError('corrupt', file, 'video stream has no frame size');
  const afterHeader = stderr.slice(stderr.indexOf('Stream mapping:') >= 0 ? stderr.indexOf('Stream mapping:') : 0);
  const damage = DAMAGE_PATTERNS.find((re) => re.test(afterHeader));
  if (damage) {
    const reason = /partial file/i.test(afterHeader) ? 'file ends in the middle of the video data' : `container is damaged (${stderrTail(afterHeader, 1)})`;
    throw new IngestError('corrupt', file, reason, HINT_TRUNCATED);
  }
  return { header, video, table: parsePacketTable(stdout), afterHeader };
}

export async function probeVideo(file: string, opts: ProbeOptions = {}): Promise<VideoInfo> {
  const minFrames = opts.minFrames ?? 8;
  const { abs } = await checkInputFile(file);
  // in process when the addon reads the file cleanly (native-probe.ts: the same facts); ffmpeg otherwise
  const raw = probeFactsNative(abs);
  const native = raw && nativeProbeFacts(raw);
  const { header, video, table, afterHeader } = native ?? (await ffmpegFacts(file, abs));
  probeRuns[native ? 'native' : 'ffmpeg']++;

  // The packet table's time base is the stream's (a stream copy keeps it), which is also the decoded frames' one.
  const timeBase = table.timeBase;
  const packets = countPackets(table, afterHeader);
  const count = packets && opts.countBy !== 'decode' ? packets : await countByDecoding(file, abs, timeBase !== undefined);
  const countedBy = count === packets ? 'packets' : 'decode';

  if (count.frames < minFrames) {
    throw new IngestError(
      count.frames === 0 ? 'decode-failed' : 'too-short',
      file,
      count.frames === 0 ? 'no frame of the video stream decodes' : `video has ${count.frames} frames, fewer than the ${minFrames} needed`,
      count.frames === 0 ? 'the file is damaged; re-download it' : 'drop it from the manifest, or lower minFrames',
    );
  }
  const swap = video.rotation === 90 || video.rotation === 270;
  const fps = snapNtscRate(video.fps || video.tbr) || rateFromPts(count.framePts, timeBase);
  const info: VideoInfo = {
    frames: count.frames,
    fps,
    width: swap ? video.height : video.width,
    height: swap ? video.width : video.height,
    codec: video.codec,
    durationSec: header.durationSec,
    startTime: count.framePts && timeBase ? (count.framePts[0] * timeBase[0]) / timeBase[1] : header.startTime,
    formatStartTime: header.startTime,
    rotation: video.rotation,
    countedBy,
    // Seeking relies on the container's index: only containers that have one (mpeg-ts/ps and raw streams seek by
    // bisection on timestamps and land a keyframe or more late); and when the packets disagree with decoding (or a
    // decode shows frames missing: damage, where a decode after a seek conceals errors differently), decode from
    // the start.
    seekable: INDEXED_FORMATS.test(header.format) && packets !== undefined && (count === packets || samePts(packets, count)),
  };
  if (count.framePts && timeBase) {
    info.framePts = count.framePts;
    info.timeBase = timeBase;
  }
  return info;
}
