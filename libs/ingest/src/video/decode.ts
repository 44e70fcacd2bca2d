/**
 * Frame-exact decoding to RGB uint8 `[T, H, W, 3]` with the bundled ffmpeg.
 *
 * Frame `i` of a video is the i-th frame a full decode shows (`decodeAll`, ffmpeg `-vsync 0`); on a sound file that
 * is the frame with timestamp `info.framePts[i]` (probe.ts). `decodeFrames` decodes only the window it needs:
 *  - `-copyts`, so frames keep the timestamps stored in the file, and frame i owns the ticks from just past the
 *    midpoint with frame i-1 to the midpoint with frame i+1 (its slot);
 *  - input seek (`-ss` before `-i`) to the start of the first wanted frame's slot, half a frame before it: ffmpeg
 *    jumps to the keyframe before that point, decodes from there and drops every frame earlier than it, so frame
 *    first-1 is dropped and frame `first` kept however seconds round to ticks (a seek to the frame's own time can
 *    land one frame off). Frame 0: no `-ss` at all;
 *  - a `select` filter keeps the frames whose pts fall in the wanted slots, so only those are scaled and converted
 *    (measured faster than converting the whole window and picking in JS), and `-frames:v` stops ffmpeg right after
 *    the last one;
 *  - `showinfo` after `select` prints each kept frame's pts, which must equal the probe's pts of a wanted frame:
 *    nothing is assumed about where the seek landed. A wanted frame that did not come out (a seek that overshot,
 *    damage) is retried seeking further back, then decoding from the start (`seek: 'auto'`); a frame that does not
 *    decode at all is 'decode-failed', named by index.
 * Files whose container index cannot be trusted (`info.seekable === false`, see probe.ts) are decoded from the start,
 * picking frames by timestamp, or by decode order when there are no usable timestamps.
 *
 * Scaling: swscale bilinear (`scale=W:H:flags=bilinear`, also for the YUV->RGB conversion at native size);
 * `{shortSide}` follows PySlowFast: the short side becomes S, the long side floor(long * S / short).
 * Decoder threads default to 1 (one ffmpeg per loader worker; measured cheaper in CPU than ffmpeg's own choice).
 */
import { IngestError } from '../errors';
import { FfmpegError, ffmpegStream, ffmpegToBuffer, type FfmpegJob } from './ffmpeg';
import { parseShowinfo } from './ffmpeg-log';
import { outputSize, scaleChain, seekSeconds, selectByNumber, selectByPts } from './frame-select';
import { checkInputFile, ffmpegInput, stderrTail, toIngestError } from './input-errors';
import { decodePtsNative } from './native-decode';
import { probeVideo } from './probe';
import type { FrameBatch, FrameSize, VideoInfo } from './types';

export interface DecodeFramesOptions {
  /** Output size; omitted: native size. */
  size?: FrameSize;
  /** The file's probe result; probed (and remembered per file path, size and mtime) when omitted. */
  info?: VideoInfo;
  /**
   * 'auto' (default): seek to the window, decode from the start if the seek missed a frame. 'always': seek only, and
   * throw 'decode-failed' if a frame did not come out (used by the tests to prove the seek path exact). 'never':
   * decode from the first frame.
   */
  seek?: 'auto' | 'always' | 'never';
  /** ffmpeg decoder threads (default 1: the loader runs one ffmpeg per worker). 0 lets ffmpeg choose. */
  threads?: number;
}

export interface DecodeAllOptions {
  size?: FrameSize;
  /** Pixels in B, G, R order (swscale converts to BGR24 twice as fast as to RGB24; the cache build's JPEGs take it). */
  bgr?: boolean;
  /** Resample to this rate with ffmpeg's `fps` filter (frames duplicated or dropped by timestamp). */
  fps?: number;
  info?: VideoInfo;
  threads?: number;
}

/** Window decodes run so far in this thread, by decoder (the tests check which one served; benchmarks report it). */
export const decodeRuns = { native: 0, ffmpeg: 0 };

/** How far before the wanted window successive seek attempts go (seconds) before decoding from the start. */
const SEEK_BACKOFF_SEC = [0, 2, 10];

const PROBE_CACHE_MAX = 4096;
const probeCache = new Map<string, VideoInfo>();

/** probeVideo with a per-file memo (key: absolute path, size, mtime), for callers that do not keep VideoInfo. */
async function probeOnce(file: string): Promise<VideoInfo> {
  const { abs, size, mtimeMs } = await checkInputFile(file);
  const key = `${abs}\u0000${size}\u0000${mtimeMs}`;
  const hit = probeCache.get(key);
  if (hit) return hit;
  const info = await probeVideo(file, { minFrames: 1 });
  if (probeCache.size >= PROBE_CACHE_MAX) probeCache.delete(probeCache.keys().next().value as string);
  probeCache.set(key, info);
  return info;
}

function baseOptions(threads: number | undefined): string[] {
  const t = String(threads ?? 1);
  // -max_error_rate 1: ffmpeg 4.1 exits non-zero ("Conversion failed!") when more than 2/3 of the packets it decoded
  // failed, even after writing good frames (a short window after a seek into a damaged GOP); the frames that came
  // out are checked here instead.
  return ['-nostats', '-threads', t, '-filter_threads', t, '-max_error_rate', '1'];
}

/** Output options for raw RGB frames after the filter `chain`: every frame the graph passes, none dropped or duplicated. */
function rawOutput(chain: string, extra: string[] = [], pixFmt: 'rgb24' | 'bgr24' = 'rgb24'): string[] {
  return ['-map', '0:v:0', '-an', '-sn', '-dn', '-vsync', '0', '-vf', chain, '-sws_flags', 'bilinear', ...extra, '-f', 'rawvideo', '-pix_fmt', pixFmt];
}

function checkIndices(file: string, indices: number[], frames: number): void {
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0) throw new RangeError(`decodeFrames(${file}): frame index ${i} is not a non-negative integer`);
  }
  const outside = indices.filter((i) => i >= frames);
  if (outside.length) {
    throw new IngestError(
      'decode-failed',
      file,
      `frame indices ${[...new Set(outside)].join(', ')} are past the last frame (the video has ${frames}, 0..${frames - 1})`,
      'clamp indices to info.frames - 1',
    );
  }
}

interface Picked {
  /** Frame index -> its bytes in `data`. */
  at: Map<number, number>;
  data: Buffer;
}

/**
 * The in-process decoder's run (native-decode.ts), with the same seek and the same naming of frames by their exact
 * pts as `runSelect`; undefined when it is absent or failed on this file (ffmpeg then decodes it).
 */
function runNative(
  abs: string,
  info: VideoInfo,
  sorted: number[],
  frameBytes: number,
  out: { width: number; height: number },
  ss: number | undefined,
  threads: number | undefined,
): Picked | undefined {
  const pts = info.framePts;
  // files whose index cannot be trusted name their frames by the timestamps ffmpeg's command line makes up, and
  // rotated ones need its autorotation: ffmpeg
  if (!pts || info.seekable === false || (info.rotation ?? 0) !== 0) return undefined;
  const got = decodePtsNative(
    abs,
    sorted.map((i) => pts[i]),
    ss,
    out.width,
    out.height,
    threads ?? 1,
  );
  if (!got) return undefined;
  const at = new Map<number, number>();
  sorted.forEach((index, k) => {
    if (got.found[k]) at.set(index, k * frameBytes);
  });
  return { at, data: got.data };
}

/** One ffmpeg run: seek (optional), select, showinfo, scale. Resolves with the frames that came out, by index. */
async function runSelect(
  file: string,
  abs: string,
  info: VideoInfo,
  sorted: number[],
  frameBytes: number,
  out: { width: number; height: number },
  /** `-ss` seconds from the container start; undefined: no seek, decode from the start. */
  ss: number | undefined,
  threads: number | undefined,
): Promise<Picked> {
  const pts = info.framePts;
  const select = pts ? selectByPts(pts, sorted) : selectByNumber(sorted);
  const job: FfmpegJob = {
    input: ffmpegInput(abs),
    // -copyts: frames keep the timestamps stored in the file, which `select` and the matching below rely on.
    inputOptions: [...baseOptions(threads), '-copyts', ...(ss !== undefined ? ['-ss', ss.toFixed(6)] : [])],
    outputOptions: rawOutput(`${select},showinfo,${scaleChain(out.width, out.height)}`, ['-frames:v', String(sorted.length)]),
    stderrLines: 0,
  };
  let res: { stdout: Buffer; stderr: string };
  try {
    res = await ffmpegToBuffer(job);
  } catch (err) {
    throw await toIngestError(file, abs, err, 'decode-failed', true);
  }
  const shown = parseShowinfo(res.stderr);
  const got = Math.floor(res.stdout.length / frameBytes);
  if (got !== shown.length || res.stdout.length % frameBytes !== 0) {
    throw new IngestError('decode-failed', file, `ffmpeg returned ${res.stdout.length} bytes for ${shown.length} frames of ${frameBytes} bytes`);
  }
  const at = new Map<number, number>();
  const byPts = pts ? new Map(pts.map((p, i) => [p, i])) : undefined;
  shown.forEach((f, k) => {
    // With timestamps, a frame is named by its exact pts (one that matches no frame of the probe is left unnamed, so
    // the wanted frame counts as missing). Without, select kept frames in decode order: the k-th is the k-th wanted.
    const index = byPts ? (f.pts === null ? undefined : byPts.get(f.pts)) : sorted[k];
    if (index !== undefined && !at.has(index)) at.set(index, k * frameBytes);
  });
  return { at, data: res.stdout };
}

/**
 * The frames at the given 0-based indices, in the given order (duplicates allowed), as RGB uint8 `[T, H, W, 3]`.
 * Indices past the last frame are 'decode-failed' (samplers clamp to `info.frames - 1`); so are frames that do not
 * decode (a damaged file), naming them.
 */
export async function decodeFrames(file: string, indices: number[], opts: DecodeFramesOptions = {}): Promise<FrameBatch> {
  const { abs } = await checkInputFile(file);
  const info = opts.info ?? (await probeOnce(file));
  const out = outputSize(opts.size, info.width, info.height);
  const frameBytes = out.width * out.height * 3;
  checkIndices(file, indices, info.frames);
  const batch: FrameBatch = { data: new Uint8Array(indices.length * frameBytes), frames: indices.length, height: out.height, width: out.width };
  if (indices.length === 0) return batch;
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  const mode = opts.seek ?? 'auto';
  if (mode === 'always' && (!info.framePts || info.seekable === false)) {
    throw new IngestError('decode-failed', file, 'the file has no trustworthy frame index to seek by', "use seek: 'auto'");
  }
  const canSeek = mode !== 'never' && info.seekable !== false && info.framePts !== undefined && info.timeBase !== undefined;
  const slot = canSeek ? seekSeconds(info.framePts as number[], info.timeBase as [number, number], info.formatStartTime ?? 0, sorted[0]) : undefined;
  // Seek points to try, then (undefined) decoding from the start. Seeking earlier than needed is always safe (select
  // drops the extra frames), only slower: a seek that missed (landed after the keyframe it needed) is retried
  // further back before decoding from the start.
  const tries: Array<number | undefined> = [];
  if (slot !== undefined) {
    for (const back of mode === 'always' ? [0] : SEEK_BACKOFF_SEC) {
      if (slot - back <= 0) break;
      tries.push(slot - back);
    }
  }
  if (mode !== 'always' || slot === undefined) tries.push(undefined);
  let picked: Picked | undefined;
  let missing = sorted;
  // in process when the addon is there (the same seeks, frames named the same way); ffmpeg when it is not, when it
  // failed on the file, or when a frame did not come out of it
  for (const native of [true, false]) {
    for (const ss of tries) {
      const got = native
        ? runNative(abs, info, sorted, frameBytes, out, ss, opts.threads)
        : await runSelect(file, abs, info, sorted, frameBytes, out, ss, opts.threads);
      if (!got) break;
      decodeRuns[native ? 'native' : 'ffmpeg']++;
      picked = got;
      missing = sorted.filter((i) => !got.at.has(i));
      if (!missing.length) break;
    }
    if (picked && !missing.length) break;
  }
  if (missing.length) {
    throw new IngestError(
      'decode-failed',
      file,
      `frames ${missing.join(', ')} of ${info.frames} did not decode`,
      'the file is damaged there; re-download it, or probe it with countBy: "decode"',
    );
  }
  indices.forEach((i, k) => {
    const got = picked as Picked;
    const from = got.at.get(i) as number;
    batch.data.set(got.data.subarray(from, from + frameBytes), k * frameBytes);
  });
  return batch;
}

function decodeAllJob(abs: string, info: VideoInfo, opts: DecodeAllOptions): { job: FfmpegJob; width: number; height: number } {
  const out = outputSize(opts.size, info.width, info.height);
  if (opts.fps !== undefined && !(opts.fps > 0)) throw new RangeError(`fps must be positive, got ${opts.fps}`);
  const pixFmt = opts.bgr ? 'bgr24' : 'rgb24';
  const chain = `${opts.fps ? `fps=fps=${opts.fps},` : ''}${scaleChain(out.width, out.height, pixFmt)}`;
  // With fps resampling the output count says nothing about damage (the fps filter fills a gap with copies of the
  // frame before it); its closing line, logged at verbose, counts the frames the decoder produced. See splitFpsLog.
  const loglevel = opts.fps ? 'level+verbose' : 'error';
  return {
    job: { input: ffmpegInput(abs), inputOptions: [...baseOptions(opts.threads), '-loglevel', loglevel], outputOptions: rawOutput(chain, [], pixFmt) },
    width: out.width,
    height: out.height,
  };
}

/**
 * Splits the stderr of a `-loglevel level+verbose` run: the lines `-loglevel error` would have printed (level tags
 * removed), and the decoded-frame count from the fps filter's closing line `[Parsed_fps_0 @ 0x..] [verbose] 60 frames
 * in, 120 frames out; ...` (undefined when that line is missing).
 */
export function splitFpsLog(stderr: string): { errors: string; framesIn: number | undefined } {
  const TAG = /^(\[[^\]]* @ 0x[0-9a-f]+\] )?\[(quiet|panic|fatal|error|warning|info|verbose|debug|trace)\] /;
  const errors: string[] = [];
  let framesIn: number | undefined;
  let level = 'info';
  for (const line of stderr.split(/\r\n|\r|\n/)) {
    const m = TAG.exec(line);
    let text = line;
    if (m) {
      level = m[2];
      text = (m[1] ?? '') + line.slice(m[0].length);
    }
    const fps = /^\[Parsed_fps_\d+ @ 0x[0-9a-f]+\] (\d+) frames in, \d+ frames out/.exec(text);
    if (fps) framesIn = Number(fps[1]);
    if (level === 'error' || level === 'fatal' || level === 'panic') errors.push(text);
  }
  return { errors: errors.join('\n'), framesIn };
}

/** The FfmpegError of a failed fps run with only the error lines, so toIngestError reads it as it reads the others. */
function errorLinesOnly(err: unknown, fps: number | undefined): unknown {
  if (!fps || !(err instanceof FfmpegError)) return err;
  const { errors } = splitFpsLog(err.stderr);
  return new FfmpegError(errors.split('\n').slice(-4).join(' | ') || err.message, errors, err.stoppedBy);
}

/**
 * A full decode must show every frame the probe counted; fewer means the file is damaged. `got` is the number of
 * frames out of ffmpeg; with fps resampling the number the decoder produced is taken from the log instead.
 */
function checkFullCount(file: string, got: number, info: VideoInfo, fps: number | undefined, stderr: string): void {
  let decoded: number | undefined = got;
  if (fps) ({ framesIn: decoded, errors: stderr } = splitFpsLog(stderr));
  if (decoded === undefined || decoded === info.frames) return;
  throw new IngestError(
    'decode-failed',
    file,
    `decoded ${decoded} of the ${info.frames} frames the container holds${stderr.trim() ? ` (${stderrTail(stderr)})` : ''}`,
    'the file is damaged; re-download it',
  );
}

/** Decodes the whole first video stream (optionally resampled to `fps`) into one `[T, H, W, 3]` batch. */
export async function decodeAll(file: string, opts: DecodeAllOptions = {}): Promise<FrameBatch> {
  const { abs } = await checkInputFile(file);
  const info = opts.info ?? (await probeOnce(file));
  const { job, width, height } = decodeAllJob(abs, info, opts);
  const frameBytes = width * height * 3;
  let res: { stdout: Buffer; stderr: string };
  try {
    res = await ffmpegToBuffer(job);
  } catch (err) {
    throw await toIngestError(file, abs, errorLinesOnly(err, opts.fps), 'decode-failed', true);
  }
  if (res.stdout.length % frameBytes !== 0) {
    throw new IngestError('decode-failed', file, `ffmpeg output ${res.stdout.length} bytes, not a whole number of ${width}x${height} frames`);
  }
  const frames = res.stdout.length / frameBytes;
  checkFullCount(file, frames, info, opts.fps, res.stderr);
  const data = new Uint8Array(res.stdout.buffer, res.stdout.byteOffset, res.stdout.length);
  return { data, frames, height, width };
}

/**
 * Decodes the whole first video stream frame by frame, never holding more than one frame plus one pipe chunk.
 * `onFrame` gets each RGB `[H, W, 3]` frame in order; the array is the callback's to keep (it is not reused).
 * If `onFrame` throws, ffmpeg is killed and the promise rejects with that error. Without `fps`, fewer frames than
 * `info.frames` rejects with 'decode-failed' after the frames that did decode were delivered.
 */
export async function decodeStream(
  file: string,
  opts: DecodeAllOptions,
  onFrame: (frame: Uint8Array, index: number, width: number, height: number) => void,
): Promise<{ frames: number; width: number; height: number }> {
  const { abs } = await checkInputFile(file);
  const info = opts.info ?? (await probeOnce(file));
  const { job, width, height } = decodeAllJob(abs, info, opts);
  const frameBytes = width * height * 3;
  let partial: Uint8Array | undefined; // a frame split across chunks
  let filled = 0;
  let index = 0;
  const onData = (chunk: Buffer): void => {
    let pos = 0;
    if (partial) {
      const n = Math.min(frameBytes - filled, chunk.length);
      partial.set(chunk.subarray(0, n), filled);
      filled += n;
      pos = n;
      if (filled < frameBytes) return;
      const frame = partial;
      partial = undefined;
      onFrame(frame, index++, width, height);
    }
    while (chunk.length - pos >= frameBytes) {
      // A view into the chunk: chunks are fresh allocations, so the frame stays valid after this call.
      onFrame(new Uint8Array(chunk.buffer, chunk.byteOffset + pos, frameBytes), index++, width, height);
      pos += frameBytes;
    }
    if (pos < chunk.length) {
      partial = new Uint8Array(frameBytes);
      partial.set(chunk.subarray(pos), 0);
      filled = chunk.length - pos;
    }
  };
  let stderr: string;
  try {
    ({ stderr } = await ffmpegStream(job, onData));
  } catch (err) {
    throw await toIngestError(file, abs, errorLinesOnly(err, opts.fps), 'decode-failed', true);
  }
  if (partial) {
    throw new IngestError('decode-failed', file, `ffmpeg output ended inside frame ${index} (${filled} of ${frameBytes} bytes)`);
  }
  checkFullCount(file, index, info, opts.fps, stderr);
  return { frames: index, width, height };
}
