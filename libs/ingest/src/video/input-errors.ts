/**
 * Turning a bad input into an `IngestError` that names the file: the checks made before ffmpeg is spawned (missing,
 * unreadable, empty) and the mapping of ffmpeg's own words when it refuses a file.
 */
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { IngestError, type IngestErrorKind } from '../errors';
import { FfmpegError } from './ffmpeg';

export const HINT_TRUNCATED = 'file is truncated or not finished downloading; re-download it';
const HINT_REDOWNLOAD = 're-download or re-encode it';

/**
 * Checks a path before ffmpeg sees it. Throws 'missing-file' (absent, unreadable, a directory, a FIFO, socket or
 * device) or 'empty-file'
 * (0 bytes). Returns the absolute path and the file's identity (size, mtime) for caches keyed by file.
 */
export async function checkInputFile(file: string): Promise<{ abs: string; size: number; mtimeMs: number }> {
  const abs = path.resolve(file);
  let st;
  try {
    st = await stat(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new IngestError('missing-file', file, 'file does not exist', 'check the path and the dataset root');
    }
    throw new IngestError('missing-file', file, `file cannot be read (${code ?? String(err)})`, 'check its permissions');
  }
  if (st.isDirectory()) throw new IngestError('missing-file', file, 'is a directory, not a video file', 'point to the video file');
  // a FIFO, socket or device would block ffmpeg or feed it endless bytes: say what it is
  if (!st.isFile()) {
    const what = st.isFIFO()
      ? 'a FIFO (named pipe)'
      : st.isSocket()
        ? 'a socket'
        : st.isCharacterDevice() || st.isBlockDevice()
          ? 'a device file'
          : 'not a regular file';
    throw new IngestError('missing-file', file, `is ${what}, not a video file`, 'point to the video file itself: ingest reads regular files only');
  }
  if (st.size === 0) {
    throw new IngestError('empty-file', file, 'file is empty (0 bytes)', 'the download or extraction failed; re-download it');
  }
  return { abs, size: st.size, mtimeMs: st.mtimeMs };
}

/** ffmpeg input argument for a local path: `file:` keeps names with a colon from being read as a protocol. */
export function ffmpegInput(abs: string): string {
  return `file:${abs}`;
}

/** True when the first bytes look like text (an HTML error page, a JSON or a note saved under a video name). */
export async function looksLikeText(abs: string): Promise<boolean> {
  let fh;
  try {
    fh = await open(abs, 'r');
    const buf = Buffer.alloc(512);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    if (bytesRead === 0) return false;
    let printable = 0;
    for (let i = 0; i < bytesRead; i++) {
      const b = buf[i];
      if (b === 0) return false;
      if (b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127) || b >= 128) printable++;
    }
    // Media containers start with binary box sizes / magic numbers (mp4 `\0\0\0 ftyp`, EBML `\x1a\x45\xdf\xa3`, ...).
    return printable / bytesRead > 0.95 && buf[0] >= 9 && buf[0] < 128;
  } catch {
    return false;
  } finally {
    await fh?.close();
  }
}

/** The last few meaningful lines of ffmpeg's stderr, for a reason string. */
export function stderrTail(stderr: string, lines = 2): string {
  const useful = stderr
    .split(/\r\n|\r|\n/)
    .map((l) => l.trim())
    .filter((l) => l && !/^(frame=|video:|Input #|Output #|Stream mapping|Press \[q\])/.test(l) && !l.startsWith('Metadata'));
  return useful.slice(-lines).join(' | ');
}

/**
 * Maps a failed (non-zero exit) ffmpeg run on `file` to an IngestError. `fallback` is the kind used when ffmpeg's words match no
 * known case ('corrupt' while probing, 'decode-failed' while decoding). Anything that is not an FfmpegError is
 * returned unchanged (an IngestError from a callback, a programming error).
 */
export async function toIngestError(
  file: string,
  abs: string,
  err: unknown,
  fallback: IngestErrorKind,
  /** The file is known to open (it was probed): its failures are never 'not-a-video'. */
  knownToOpen = false,
): Promise<unknown> {
  if (err instanceof IngestError || !(err instanceof FfmpegError)) return err;
  const stderr = err.stderr || err.message;
  const make = (kind: IngestErrorKind, reason: string, hint?: string): IngestError => new IngestError(kind, file, reason, hint);
  if (err.stoppedBy)
    return make('interrupted', `ffmpeg was stopped by ${err.stoppedBy} before it finished`, 'nothing is known to be wrong with the file; run again');
  if (/No such file or directory/.test(stderr)) return make('missing-file', 'file disappeared while reading it', 'check the path');
  if (/matches no streams/.test(stderr)) {
    return make('no-video-stream', 'file has no video stream', 'it holds only audio or other data; drop it from the manifest');
  }
  const opened = knownToOpen || stderr.includes('Input #0, ');
  // "Error while decoding stream ...: Invalid data" is damage inside the stream, not an unreadable container.
  const invalid = /^(?!Error while decoding).*Invalid data found when processing input/m.test(stderr);
  if (!opened && (invalid || /moov atom not found|misdetection possible/.test(stderr)) && (await looksLikeText(abs))) {
    return make('not-a-video', 'file is text, not a video', 'a failed download often saves an HTML error page; re-download it');
  }
  // ffmpeg guessed the container from the extension only: the bytes are not that format (nor any other it knows).
  if (!opened && /misdetection possible/.test(stderr)) {
    return make('not-a-video', 'ffmpeg does not recognise the bytes as a video container', 'check that the file is a video; re-download it');
  }
  if (/moov atom not found/.test(stderr)) return make('corrupt', 'mp4 index (moov atom) is missing', HINT_TRUNCATED);
  if (/partial file/.test(stderr)) return make('corrupt', 'file ends in the middle of the video data', HINT_TRUNCATED);
  if (!opened && invalid) {
    return make('not-a-video', 'ffmpeg does not recognise the file as a video', 'it is not a video or its header is damaged; re-download it');
  }
  if (invalid) return make('corrupt', `ffmpeg cannot read it: ${stderrTail(stderr)}`, HINT_REDOWNLOAD);
  return make(fallback, `ffmpeg failed: ${stderrTail(stderr) || err.message}`, HINT_REDOWNLOAD);
}
