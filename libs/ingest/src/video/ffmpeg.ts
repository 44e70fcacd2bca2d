/**
 * The only module that touches fluent-ffmpeg (archived upstream) and the bundled binary of
 * @ffmpeg-installer/ffmpeg (a 2018 static build, ffmpeg 4.1: use `-vsync 0`, not `-fps_mode`; no ffprobe).
 * Everything else in the workspace runs ffmpeg through these three functions.
 *
 * Set PVNAS_FFMPEG to use another ffmpeg binary.
 */
import { PassThrough, Readable } from 'node:stream';
import ffmpeg from 'fluent-ffmpeg';
import installer from '@ffmpeg-installer/ffmpeg';

export const FFMPEG_PATH: string = process.env.PVNAS_FFMPEG || installer.path;

export interface FfmpegJob {
  /** A file path, or a readable stream fed to ffmpeg's stdin. */
  input: string | Readable;
  /** Options placed before `-i` (input seeking `-ss`, raw input format, ...). */
  inputOptions?: string[];
  /** Options placed after `-i` (filters, codec, format, `-vsync 0`, ...). */
  outputOptions: string[];
  /** How many trailing stderr lines to keep (default 200; 0 keeps all, for jobs that log one line per frame). */
  stderrLines?: number;
}

/** ffmpeg exited non-zero or could not start; `stderr` holds ffmpeg's own words. */
export class FfmpegError extends Error {
  override readonly name = 'FfmpegError';
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
  }
}

function command(job: FfmpegJob): ffmpeg.FfmpegCommand {
  // stdoutLines/stderrLines are fluent-ffmpeg options its type definitions leave out.
  const options = { stdoutLines: 0, stderrLines: job.stderrLines ?? 200 } as ffmpeg.FfmpegCommandOptions;
  const cmd = ffmpeg(options).setFfmpegPath(FFMPEG_PATH);
  cmd.input(job.input as string);
  cmd.inputOptions(['-nostdin', '-hide_banner', ...(job.inputOptions ?? [])]);
  cmd.outputOptions(job.outputOptions);
  return cmd;
}

function ffmpegFailure(err: Error, stderr: string | null | undefined): FfmpegError {
  const tail = (stderr ?? '').trim().split('\n').slice(-4).join(' | ');
  return new FfmpegError(tail || err.message, stderr ?? '');
}

/**
 * The stream ffmpeg's stdout is piped to. It never emits 'close': fluent-ffmpeg kills ffmpeg and fails the job
 * ("Output stream closed") when the process has not exited 20 ms after its output stream closed, which on a loaded
 * machine happens to sound files (ffmpeg closes its output, then still prints stats and frees before exiting).
 * The job ends with the process instead, as it does for file outputs.
 */
function outputSink(): PassThrough {
  return new PassThrough({ emitClose: false });
}

/** Runs ffmpeg writing to stdout and resolves with everything it wrote (raw frames, usually) and its stderr. */
export function ffmpegToBuffer(job: FfmpegJob): Promise<{ stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const sink = outputSink();
    sink.on('data', (c: Buffer) => chunks.push(c));
    const cmd = command(job);
    cmd.on('error', (err: Error, _out: string | null, stderr: string | null) => reject(ffmpegFailure(err, stderr)));
    cmd.on('end', (_out: string | null, stderr: string | null) => {
      // 'end' fires on process exit; stdout may still hold buffered bytes for a tick.
      if (sink.readableEnded) resolve({ stdout: Buffer.concat(chunks), stderr: stderr ?? '' });
      else sink.once('end', () => resolve({ stdout: Buffer.concat(chunks), stderr: stderr ?? '' }));
    });
    cmd.output(sink, { end: true }).run();
  });
}

/**
 * Runs ffmpeg and streams its stdout: `onData` sees every chunk as it arrives (for decoding long videos
 * frame by frame without holding them all). Resolves with ffmpeg's stderr once it has exited cleanly.
 */
export function ffmpegStream(job: FfmpegJob, onData: (chunk: Buffer) => void): Promise<{ stderr: string }> {
  return new Promise((resolve, reject) => {
    const sink = outputSink();
    let failed: Error | undefined;
    sink.on('data', (c: Buffer) => {
      if (failed) return;
      try {
        onData(c);
      } catch (err) {
        failed = err as Error;
        cmd.kill('SIGKILL');
      }
    });
    const cmd = command(job);
    cmd.on('error', (err: Error, _out: string | null, stderr: string | null) => reject(failed ?? ffmpegFailure(err, stderr)));
    cmd.on('end', (_out: string | null, stderr: string | null) => {
      const done = (): void => (failed ? reject(failed) : resolve({ stderr: stderr ?? '' }));
      if (sink.readableEnded) done();
      else sink.once('end', done);
    });
    cmd.output(sink, { end: true }).run();
  });
}

/** Runs ffmpeg writing to a file (encoding). Resolves with stderr. */
export function ffmpegToFile(job: FfmpegJob, outPath: string): Promise<{ stderr: string }> {
  return new Promise((resolve, reject) => {
    const cmd = command(job);
    cmd.on('error', (err: Error, _out: string | null, stderr: string | null) => reject(ffmpegFailure(err, stderr)));
    cmd.on('end', (_out: string | null, stderr: string | null) => resolve({ stderr: stderr ?? '' }));
    cmd.output(outPath).outputOptions(['-y']).run();
  });
}
