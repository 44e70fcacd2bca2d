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
    /**
     * Set when a signal stopped ffmpeg (Ctrl-C in a terminal reaches it too): the signal's name when ffmpeg died of
     * it, "a signal" when ffmpeg caught it and exited with its code for that, 255. Nothing is known about the file then.
     */
    readonly stoppedBy?: string,
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
  // A signal that stops ffmpeg: it dies of it (fluent-ffmpeg's words), or it catches it and exits, with code 255 after
  // a decode and code 1 while it opens the input, saying "Exiting normally, received signal N." (at log level info).
  // Dying of another signal (SIGSEGV, SIGABRT, the OOM killer's SIGKILL) is a failure like any other.
  const STOP_SIGNALS: Record<string, string> = { 1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 15: 'SIGTERM' };
  const killedBy = /was killed with signal (\w+)/.exec(err.message)?.[1];
  const caught = /Exiting normally, received signal (\d+)\./.exec(`${err.message}\n${stderr ?? ''}`)?.[1];
  const stoppedBy =
    killedBy && Object.values(STOP_SIGNALS).includes(killedBy)
      ? killedBy
      : caught
        ? (STOP_SIGNALS[caught] ?? `signal ${caught}`)
        : /exited with code 255\b/.test(err.message)
          ? 'a signal'
          : undefined;
  return new FfmpegError(tail || err.message, stderr ?? '', stoppedBy);
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
