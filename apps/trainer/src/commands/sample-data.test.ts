/**
 * `pvnas sample-data` as a user runs it, in its own process: killed midway it leaves no dataset (the library's
 * atomic generation), and once the set exists it finds it up to date or names a bad option.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeTempDir } from '@pvnas/ingest/testing';
import { ensureSampleDataset, readSampleMarker, SAMPLE_MARKER, type SampleOptions } from '@pvnas/sample';

const PVNAS_BIN = path.resolve(__dirname, '..', '..', 'bin', 'pvnas.js');
const SMALL: Partial<SampleOptions> = { classes: 2, trainPerClass: 2, valPerClass: 1, width: 64, height: 48, seconds: [1, 1.2], fps: 30, gop: 10 };
const CLI_SMALL = ['--classes', '2', '--train', '2', '--val', '1', '--size', '64x48', '--seconds', '1-1.2', '--fps', '30', '--gop', '10'];

const tmp = makeTempDir('sample-data');
afterAll(() => tmp.remove());

/** The hidden folders and lock files the generator keeps beside `root` while it works. */
const siblings = (root: string): string[] => fs.readdirSync(path.dirname(root)).filter((e) => e.startsWith(`.${path.basename(root)}.`));

describe('pvnas sample-data', () => {
  it('leaves no dataset when a run is killed midway; the next run cleans up and completes; the CLI agrees', async () => {
    const root = path.join(tmp.dir, 'killed', 'sample');
    // A bigger run through `pvnas sample-data`, killed (with its ffmpeg children) once the first videos exist.
    const child = spawn(process.execPath, [PVNAS_BIN, 'sample-data', '--root', root, ...CLI_SMALL, '--train', '8', '--quiet'], {
      detached: true,
      stdio: 'ignore',
    });
    const parent = path.dirname(root);
    const hasVideo = (): boolean =>
      fs.existsSync(parent) &&
      siblings(root).some(
        (s) => s.includes('.partial-') && (fs.readdirSync(path.join(parent, s), { recursive: true }) as string[]).some((f) => f.endsWith('.mp4')),
      );
    const t0 = Date.now();
    while (!hasVideo()) {
      if (Date.now() - t0 > 30000) throw new Error('the CLI wrote no video within 30 s');
      await new Promise((r) => setTimeout(r, 10));
    }
    process.kill(-child.pid!, 'SIGKILL');
    await new Promise((r) => child.once('exit', r));

    expect(fs.existsSync(root)).toBe(false); // nothing that looks like a dataset
    expect(siblings(root).some((s) => s.includes('.partial-'))).toBe(true);

    await ensureSampleDataset(root, { ...SMALL, log: null });
    expect(readSampleMarker(root)).toBeDefined();
    expect(siblings(root)).toEqual([]); // the dead run's partial folder and lock are gone

    // The CLI with the same options finds it up to date: prints the root, rewrites nothing.
    const markerPath = path.join(root, SAMPLE_MARKER);
    const mtime = fs.statSync(markerPath).mtimeMs;
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const cli = spawn(process.execPath, [PVNAS_BIN, 'sample-data', '--root', root, ...CLI_SMALL]);
      let stdout = '';
      let stderr = '';
      cli.stdout.on('data', (d: Buffer) => (stdout += d));
      cli.stderr.on('data', (d: Buffer) => (stderr += d));
      cli.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(out).toEqual({ code: 0, stdout: `${path.resolve(root)}\n`, stderr: '' });
    expect(fs.statSync(markerPath).mtimeMs).toBe(mtime);

    // A bad option is reported by name, with a non-zero exit.
    const bad = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const cli = spawn(process.execPath, [PVNAS_BIN, 'sample-data', '--root', root, '--classes', '9']);
      let stderr = '';
      cli.stderr.on('data', (d: Buffer) => (stderr += d));
      cli.on('close', (code) => resolve({ code, stderr }));
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/classes must be an integer in \[2, 8\]/);
  });
});
