/**
 * Window decoding in process (libs/ingest/native-av/src/avdecode.c over the system's libavformat/libavcodec/libswscale),
 * the loader's fast path: no ffmpeg process per clip. Optional like the other addons: absent (not built, or
 * PVNAS_DECODER=ffmpeg), or when it cannot decode a file, `decodeFrames` uses the bundled ffmpeg as before. Frames are
 * named exactly as on that path: by their timestamp as stored in the file (the probe's `framePts`).
 */
import path from 'node:path';
import { loadOptionalAddon, type AddonLoad } from '@pvnas/base/node';

/** What the addon's `probe` reads from a file without decoding (avdecode.c). */
export interface NativeProbe {
  /** libavformat's demuxer name (`mov,mp4,m4a,3gp,3g2,mj2`, `matroska,webm`, ...). */
  format: string;
  /** Container start time and duration in microseconds; NaN when unknown. */
  startUs: number;
  durationUs: number;
  /** The file's first video stream; null when it has none. */
  video: {
    index: number;
    codec: string;
    width: number;
    height: number;
    avgFrameRate: [number, number];
    rFrameRate: [number, number];
    timeBase: [number, number];
    /** The `rotate` metadata tag, and the display matrix's angle (degrees counter-clockwise). */
    rotateTag: string | null;
    matrixRotation: number | null;
    attachedPic: boolean;
  } | null;
  /** One entry per packet of the video stream, in file order: ticks (NaN: none), AV_PKT_FLAG_* bits. */
  pts: Float64Array;
  dts: Float64Array;
  flags: Uint8Array;
  /** The error that stopped reading before the end of the file; null when it reached the end. */
  readError: string | null;
  /** Warnings and errors libav logged while reading the packets, one per line. */
  log: string;
}

interface AvDecodeAddon {
  probe(file: string): NativeProbe;
  decodePts(
    file: string,
    wantedPts: number[],
    seekSeconds: number | null,
    width: number,
    height: number,
    opts?: { threads?: number; onFrame?: (rgb: Buffer, k: number) => void; hwaccel?: string; bgr?: boolean },
  ): { data: Buffer | null; found: boolean[]; decoded: number };
  openDevice(type: string): boolean;
  version(): string;
}

/** `libs/ingest/native-av/build/Release/pvnas_avdecode.node`, or `PVNAS_AVDECODE_ADDON`. */
export function avDecodeAddonPath(): string {
  return process.env.PVNAS_AVDECODE_ADDON || path.resolve(__dirname, '..', '..', 'native-av', 'build', 'Release', 'pvnas_avdecode.node');
}

const load = (): AddonLoad<AvDecodeAddon> =>
  loadOptionalAddon<AvDecodeAddon>(avDecodeAddonPath(), 'apt-get install libavformat-dev libavcodec-dev libswscale-dev');

/** Which decoder `decodeFrames` uses: 'native' (in process) or 'ffmpeg' (a process per clip), and why. */
export function decoderStatus(): { decoder: 'native' | 'ffmpeg'; reason: string } {
  if (process.env.PVNAS_DECODER === 'ffmpeg') return { decoder: 'ffmpeg', reason: 'PVNAS_DECODER=ffmpeg' };
  const l = load();
  return l.ok ? { decoder: 'native', reason: l.addon.version() } : { decoder: 'ffmpeg', reason: l.reason };
}

/**
 * The frames whose pts are `wantedPts` (ascending, distinct), RGB24 `width x height` each, decoded in process after a
 * seek to `seekSeconds` (from the container start; undefined: from the start). Undefined when the in-process decoder
 * is absent or could not open or decode the file (the caller then runs ffmpeg, which words the error).
 */
export function decodePtsNative(
  file: string,
  wantedPts: number[],
  seekSeconds: number | undefined,
  width: number,
  height: number,
  threads = 1,
): { data: Buffer; found: boolean[] } | undefined {
  if (process.env.PVNAS_DECODER === 'ffmpeg') return undefined;
  const l = load();
  if (!l.ok) return undefined;
  try {
    const got = l.addon.decodePts(file, wantedPts, seekSeconds ?? null, width, height, { threads });
    return { data: got.data as Buffer, found: got.found };
  } catch {
    return undefined;
  }
}

/** The in-process demuxer's facts about `file` (nothing decoded); undefined when the addon is absent or cannot open it. */
export function probeFactsNative(file: string): NativeProbe | undefined {
  if (process.env.PVNAS_DECODER === 'ffmpeg') return undefined;
  const l = load();
  if (!l.ok) return undefined;
  try {
    return l.addon.probe(file);
  } catch {
    return undefined;
  }
}

/**
 * Decodes `file` from the start and passes each frame whose pts is in `wantedPts` (ascending, distinct) to `onFrame`
 * as it comes, RGB24 `width x height` (BGR24 with `bgr`) in a fresh buffer, with its position k in `wantedPts`. Returns which were
 * found, or undefined when the addon is absent or cannot decode the file. `hwaccel` ('cuda') decodes on that device;
 * an error setting it up is thrown (it names the device and libav's reason), not swallowed.
 */
export function decodeEachNative(
  file: string,
  wantedPts: number[],
  width: number,
  height: number,
  onFrame: (rgb: Buffer, k: number) => void,
  opts: { threads?: number; hwaccel?: string; bgr?: boolean } = {},
): { found: boolean[]; decoded: number } | undefined {
  if (process.env.PVNAS_DECODER === 'ffmpeg' && !opts.hwaccel) return undefined;
  const l = load();
  if (!l.ok) {
    if (opts.hwaccel) throw new Error(`--hwaccel ${opts.hwaccel} needs the in-process decoder, which is not built: ${l.reason}`);
    return undefined;
  }
  let thrown: { err: unknown } | undefined;
  const deliver = (rgb: Buffer, k: number): void => {
    try {
      onFrame(rgb, k);
    } catch (err) {
      thrown = { err };
      throw err;
    }
  };
  try {
    return l.addon.decodePts(file, wantedPts, null, width, height, { ...opts, onFrame: deliver });
  } catch (err) {
    if (thrown) throw thrown.err; // onFrame's own error
    if (opts.hwaccel && err instanceof Error && err.message.startsWith('hwaccel ')) throw err;
    return undefined;
  }
}

/**
 * Checks that frames can be decoded on a `hwaccel` device ('cuda') before a cache build starts: throws an Error that
 * names the device type, libav's reason and what to do.
 */
export function checkHwaccel(hwaccel: string): void {
  const l = load();
  if (!l.ok) throw new Error(`--hwaccel ${hwaccel} needs the in-process decoder, which is not built: ${l.reason}`);
  try {
    l.addon.openDevice(hwaccel);
  } catch (err) {
    throw new Error(`--${(err as Error).message}; drop --hwaccel to decode on the CPU`, { cause: err });
  }
}
