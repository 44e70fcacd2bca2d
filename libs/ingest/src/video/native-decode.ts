/**
 * Window decoding in process (libs/ingest/native-av/src/avdecode.c over the system's libavformat/libavcodec/libswscale),
 * the loader's fast path: no ffmpeg process per clip. Optional like the other addons: absent (not built, or
 * PVNAS_DECODER=ffmpeg), or when it cannot decode a file, `decodeFrames` uses the bundled ffmpeg as before. Frames are
 * named exactly as on that path: by their timestamp as stored in the file (the probe's `framePts`).
 */
import path from 'node:path';
import { loadOptionalAddon, type AddonLoad } from '@pvnas/base/node';

interface AvDecodeAddon {
  decodePts(
    file: string,
    wantedPts: number[],
    seekSeconds: number | null,
    width: number,
    height: number,
    threads: number,
  ): { data: Buffer; found: boolean[]; decoded: number };
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
    return l.addon.decodePts(file, wantedPts, seekSeconds ?? null, width, height, threads);
  } catch {
    return undefined;
  }
}
