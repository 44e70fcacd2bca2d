/**
 * On a loaded machine ffmpeg can take a while to exit after it has closed its output (it still prints its stats
 * and frees its buffers). That must not turn a good video into a failed one. The bundled ffmpeg is wrapped (via
 * PVNAS_FFMPEG) by a script that lets it run as usual, then closes stdout and waits 100 ms before exiting.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FFMPEG_PATH, type BuildReport } from '@pvnas/ingest';
import { auditCache, partialVideos } from './support/cache';
import { PVNAS_BIN, runCli } from './support/cli';
import { makeTempDir, testsrcVideo, writeFile } from './support/datasets';

jest.setTimeout(60_000);

const posix = process.platform !== 'win32';

(posix ? describe : describe.skip)('an ffmpeg that exits 100 ms after closing its output (a loaded machine)', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let env: Record<string, string>;
  let video = '';

  beforeAll(async () => {
    tmp = makeTempDir('e2e-slow-exit');
    const wrapper = writeFile(
      path.join(tmp.dir, 'slow-exit-ffmpeg'),
      ['#!/bin/sh', `"${FFMPEG_PATH}" "$@"`, 'rc=$?', 'exec >&-', 'sleep 0.1', 'exit $rc', ''].join('\n'),
    );
    fs.chmodSync(wrapper, 0o755);
    env = { PVNAS_FFMPEG: wrapper };
    video = await testsrcVideo(path.join(tmp.dir, 'k', 'train', 'abseiling', 'slowexit000_000000_000001.mp4'), { seconds: 1 });
    await testsrcVideo(path.join(tmp.dir, 'k', 'train', 'abseiling', 'slowexit001_000000_000001.mp4'), { seconds: 1.5 });
  });
  afterAll(() => tmp?.remove());

  it('pvnas probe and frames still succeed', async () => {
    const probe = await runCli(PVNAS_BIN, ['probe', video], { cwd: tmp.dir, env });
    expect({ code: probe.code, stderr: probe.stderr, out: JSON.parse(probe.stdout || 'null') }).toEqual({
      code: 0,
      stderr: '',
      out: { frames: 30, fps: 30, width: 64, height: 48, codec: 'h264' },
    });
    const frames = await runCli(PVNAS_BIN, ['frames', video, '--indices', '29,0', '--out', 'f'], { cwd: tmp.dir, env });
    expect({ code: frames.code, stderr: frames.stderr }).toEqual({ code: 0, stderr: '' });
    expect(fs.statSync(path.join(tmp.dir, 'f', 'frames.rgb')).size).toBe(2 * 64 * 48 * 3);
  });

  it('ingest caches every video and reports no failure', async () => {
    const csv = writeFile(
      path.join(tmp.dir, 'k', 'annotations', 'train.csv'),
      'label,youtube_id,time_start,time_end,split\nabseiling,slowexit000,0,1,train\nabseiling,slowexit001,0,1,train\n',
    );
    const out = path.join(tmp.dir, 'cache');
    const run = await runCli(PVNAS_BIN, ['ingest', 'kinetics', '--root', 'k', '--csv', csv, '--out', out, '--workers', '2'], { cwd: tmp.dir, env });
    expect(run.code).toBe(0);
    const report = JSON.parse(fs.readFileSync(path.join(out, 'ingest-report.json'), 'utf8')) as BuildReport;
    expect(report.failures).toEqual([]);
    expect(report.counts).toMatchObject({ written: 2, failed: 0, inCache: 2 });
    const audit = (await auditCache(out))!;
    expect(partialVideos(audit)).toEqual([]);
    expect(Object.fromEntries(audit.records)).toEqual({ slowexit000_000000_000001: 30, slowexit001_000000_000001: 45 });
  });
});
