/**
 * `ingest kinetics` end to end: a real process on a small Kinetics-layout dataset (official CSV columns,
 * <root>/<split>/<label>/<youtube_id>_<start>_<end>.<ext>) holding good videos and every kind of bad input a
 * real download has. The run goes on without the bad items, names each with its reason in
 * ingest-report.json and on stderr, and the LMDB cache holds exactly the good videos, each whole.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FrameCache, decodeAll, type BuildReport, type FrameBatch } from '@pvnas/ingest';
import { auditCache, partialVideos } from './support/cache';
import { PVNAS_BIN, runCli, type CliResult } from './support/cli';
import { audioOnly, damagedInTheMiddle, makeTempDir, noise, testsrcVideo, truncated, writeFile } from './support/datasets';

interface Good {
  id: string;
  rel: string;
  label: string;
  /** Frames the cache must hold for it (at 30 fps). */
  frames: number;
  source: { frames: number; fps: number; codec: string };
}

function frameOf(b: FrameBatch, t: number): Uint8Array {
  const n = b.width * b.height * 3;
  return b.data.subarray(t * n, (t + 1) * n);
}

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += Math.abs(a[i] - b[i]);
  return d / a.length;
}

jest.setTimeout(60_000);

const SHORT_SIDE = 96; // 64x48 sources are stored at 128x96

describe('ingest kinetics (CLI) on a dataset with bad inputs', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let root = '';
  let trainCsv = '';
  let valCsv = '';
  let out = '';
  let run: CliResult;
  let report: BuildReport;
  const good: Good[] = [
    {
      id: 'goodAbs0001_000000_000001',
      rel: 'train/abseiling/goodAbs0001_000000_000001.mp4',
      label: 'abseiling',
      frames: 30,
      source: { frames: 30, fps: 30, codec: 'h264' },
    },
    {
      id: 'goodAbs0002_000010_000012',
      rel: 'train/abseiling/goodAbs0002_000010_000012.mp4',
      label: 'abseiling',
      frames: 60,
      source: { frames: 60, fps: 30, codec: 'h264' },
    },
    // 25 fps resampled to 30: 30 source frames over 1.2 s -> 36 stored frames
    {
      id: 'goodBowl0001_000000_000002',
      rel: 'train/bowling/goodBowl0001_000000_000002.mp4',
      label: 'bowling',
      frames: 36,
      source: { frames: 30, fps: 25, codec: 'h264' },
    },
    {
      id: 'goodBowl0002_000003_000004',
      rel: 'train/bowling/goodBowl0002_000003_000004.webm',
      label: 'bowling',
      frames: 30,
      source: { frames: 30, fps: 30, codec: 'vp9' },
    },
    {
      id: 'goodValBw01_000000_000001',
      rel: 'val/bowling/goodValBw01_000000_000001.mp4',
      label: 'bowling',
      frames: 45,
      source: { frames: 45, fps: 30, codec: 'h264' },
    },
  ];
  // Bad videos (all listed in train.csv as abseiling): file name stem -> [kind, reason]
  const bad: Record<string, [string, RegExp]> = {
    empty0000000: ['empty-file', /0 bytes/],
    randombytes0: ['not-a-video', /does not recognise/],
    damagedmid00: ['decode-failed', /decoded \d+ of the 120 frames/],
    truncatedhlf: ['corrupt', /ends in the middle of the video data/],
    audioonly000: ['no-video-stream', /no video stream/],
    tooshort0000: ['too-short', /6 frames, fewer than the 8/],
    htmlpagemp40: ['not-a-video', /text, not a video/],
  };
  const badPath = (stem: string): string => path.join(root, 'train', 'abseiling', `${stem}_000000_000001.mp4`);

  beforeAll(async () => {
    tmp = makeTempDir('e2e-kinetics');
    root = path.join(tmp.dir, 'k400');
    const at = (rel: string): string => path.join(root, rel);
    await Promise.all([
      testsrcVideo(at(good[0].rel), { seconds: 1 }),
      testsrcVideo(at(good[1].rel), { seconds: 2 }),
      testsrcVideo(at(good[2].rel), { seconds: 1.2, fps: 25 }),
      testsrcVideo(at(good[3].rel), { seconds: 1, codec: 'vp9' }),
      testsrcVideo(at(good[4].rel), { seconds: 1.5 }),
      testsrcVideo(at('val/juggling/goodValJg01_000000_000001.mp4'), { seconds: 1 }),
      testsrcVideo(path.join(tmp.dir, 'src', 'four-seconds.mp4'), { seconds: 4, faststart: true }),
      audioOnly(badPath('audioonly000')),
      testsrcVideo(badPath('tooshort0000'), { seconds: 0.2 }),
    ]);
    const fourSeconds = path.join(tmp.dir, 'src', 'four-seconds.mp4');
    writeFile(badPath('empty0000000'), '');
    writeFile(badPath('randombytes0'), noise(20000, 7));
    writeFile(badPath('damagedmid00'), damagedInTheMiddle(fourSeconds, 4000, 2024));
    writeFile(badPath('truncatedhlf'), truncated(fourSeconds, 0.5));
    writeFile(badPath('htmlpagemp40'), '<!DOCTYPE html><html><body>403 Forbidden</body></html>\n');

    const row = (label: string, id: string, split: string): string => {
      const [yt, s, e] = /^(.*)_(\d{6})_(\d{6})$/.exec(id)!.slice(1);
      return `${label},${yt},${Number(s)},${Number(e)},${split}`;
    };
    trainCsv = writeFile(
      at('annotations/train.csv'),
      [
        'label,youtube_id,time_start,time_end,split', // line 1
        row('abseiling', good[0].id, 'train'), // 2
        row('abseiling', good[1].id, 'train'), // 3
        ...Object.keys(bad).map((stem) => row('abseiling', `${stem}_000000_000001`, 'train')), // 4..10
        'abseiling,missingfile,0,1,train', // 11: no such video anywhere under the root
        'abseiling,onlyfourflds,0,1', // 12: a field missing
        row('bowling', good[2].id, 'train'), // 13
        row('bowling', good[3].id, 'train'), // 14
      ].join('\n') + '\n',
    );
    valCsv = writeFile(
      at('annotations/validate.csv'),
      [
        'label,youtube_id,time_start,time_end,split',
        row('bowling', good[4].id, 'validate'), // 2
        row('juggling', 'goodValJg01_000000_000001', 'validate'), // 3: the file exists, the label is not a train class
      ].join('\n') + '\n',
    );
    out = path.join(tmp.dir, 'cache');
    // From the temp dir with relative paths, as a user would type them.
    run = await runCli(
      PVNAS_BIN,
      [
        'ingest',
        'kinetics',
        '--root',
        'k400',
        '--csv',
        'k400/annotations/train.csv',
        '--csv',
        'k400/annotations/validate.csv',
        '--out',
        'cache',
        '--workers',
        '2',
        '--short-side',
        String(SHORT_SIDE),
      ],
      { cwd: tmp.dir },
    );
    report = JSON.parse(fs.readFileSync(path.join(out, 'ingest-report.json'), 'utf8')) as BuildReport;
  });
  afterAll(() => tmp?.remove());

  it('finishes with exit code 0 (bad items are skipped and reported, not fatal) and a summary on stderr', () => {
    expect({ code: run.code, signal: run.signal }).toEqual({ code: 0, signal: null });
    expect(run.stderr).toMatch(/done: 5 written, 0 already cached, 7 failed, 5 videos in /);
    expect(run.stderr).toContain(`report: ${path.join(out, 'ingest-report.json')}`);
    expect(run.stderr).not.toContain('run the same command again');
  });

  it('report counts: 12 records from the manifests, 5 written, 7 failed, nothing pending', () => {
    expect(report.format).toBe('pvnas-ingest-report/1');
    expect(report.out).toBe(out);
    expect(report.interrupted).toBe(false);
    expect(report.settings).toEqual({ shortSide: SHORT_SIDE, fps: 30, quality: 90 });
    expect(report.counts).toEqual({ manifest: 12, skippedCached: 0, written: 5, failed: 7, inCache: 5, pending: 0 });
    expect(report.framesWritten).toBe(good.reduce((n, g) => n + g.frames, 0));
  });

  it('every bad video is listed by its path with its kind and reason, and named on stderr', () => {
    const byItem = new Map(report.failures.map((f) => [f.item, f]));
    expect([...byItem.keys()].sort()).toEqual(Object.keys(bad).map(badPath).sort());
    for (const [stem, [kind, reason]] of Object.entries(bad)) {
      const f = byItem.get(badPath(stem))!;
      expect({ item: f.item, kind: f.kind }).toEqual({ item: badPath(stem), kind });
      expect(f.reason).toMatch(reason);
      expect(run.stderr).toContain(`${badPath(stem)}: ${f.reason}`);
    }
  });

  it('manifest problems are listed with file:line and reason: missing video, missing field, unknown label', () => {
    const issues = report.manifestIssues.map((i) => ({ at: `${path.basename(i.file)}:${i.line}`, file: i.file, reason: i.reason }));
    expect(issues.map((i) => i.at)).toEqual(['train.csv:11', 'train.csv:12', 'validate.csv:3']);
    expect(issues.map((i) => i.file)).toEqual([trainCsv, trainCsv, valCsv]);
    expect(issues[0].reason).toMatch(/^video file not found: missingfile_000000_000001/);
    expect(issues[1].reason).toMatch(/expected 5 fields .* found 4/);
    expect(issues[2].reason).toMatch(/unknown label "juggling"/);
    for (const i of report.manifestIssues) expect(run.stderr).toContain(`${i.file}:${i.line}: ${i.reason}`);
  });

  it('the cache holds exactly the good videos, each whole: record frame count = frames stored = expected', async () => {
    const audit = (await auditCache(out))!;
    expect(partialVideos(audit)).toEqual([]);
    expect([...audit.records.keys()].sort()).toEqual(good.map((g) => g.id).sort());
    for (const g of good) {
      expect({ id: g.id, frames: audit.records.get(g.id) }).toEqual({ id: g.id, frames: g.frames });
    }
  });

  it('each cached video reads back through FrameCache with its label, source facts and the right pictures', async () => {
    const cache = FrameCache.openReader(out);
    try {
      expect(cache.header).toMatchObject({ format: 'pvnas-frame-cache/1', shortSide: SHORT_SIDE, fps: 30, quality: 90 });
      expect(cache.count()).toBe(good.length);
      for (const g of good) {
        const v = cache.video(g.id)!;
        expect(v).toMatchObject({ id: g.id, frames: g.frames, fps: 30, width: 128, height: 96, labelName: g.label });
        expect(v.label).toBe(g.label === 'abseiling' ? 0 : 1);
        expect(v.source).toMatchObject({ path: path.join(root, g.rel), width: 64, height: 48, ...g.source });
        // First and last stored frames equal (up to JPEG loss) an independent full decode at the same size and rate.
        const clip = await cache.readClip(g.id, [0, g.frames - 1]);
        const ref = await decodeAll(path.join(root, g.rel), { size: { shortSide: SHORT_SIDE }, fps: 30 });
        expect({ frames: ref.frames, w: ref.width, h: ref.height }).toEqual({ frames: g.frames, w: 128, h: 96 });
        // JPEG at quality 90 stays within a few levels on average, and of the decoded frames around it the stored one is nearest.
        for (const [k, t] of [
          [0, 0],
          [1, g.frames - 1],
        ]) {
          const near = [-3, -2, -1, 0, 1, 2, 3].map((d) => t + d).filter((r) => r >= 0 && r < ref.frames);
          const diffs = near.map((r) => meanAbsDiff(frameOf(clip, k), frameOf(ref, r)));
          const own = diffs[near.indexOf(t)];
          // (25 -> 30 fps repeats some frames, so a neighbour may tie.)
          expect({ id: g.id, frame: t, nearest: own === Math.min(...diffs), close: own < 8 }).toEqual({ id: g.id, frame: t, nearest: true, close: true });
        }
        // Any stored frame index past the end is refused by name.
        expect(() => cache.readJpegs(g.id, [g.frames])).toThrow(new RegExp(`frame ${g.frames} is out of range`));
      }
    } finally {
      await cache.close();
    }
  });

  it('running the same command again decodes nothing cached, retries the bad videos and reports them again', async () => {
    const again = await runCli(
      PVNAS_BIN,
      [
        'ingest',
        'kinetics',
        '--root',
        'k400',
        '--csv',
        'k400/annotations/train.csv',
        '--csv',
        'k400/annotations/validate.csv',
        '--out',
        'cache',
        '--workers',
        '2',
        '--short-side',
        String(SHORT_SIDE),
      ],
      { cwd: tmp.dir },
    );
    expect(again.code).toBe(0);
    const r2 = JSON.parse(fs.readFileSync(path.join(out, 'ingest-report.json'), 'utf8')) as BuildReport;
    expect(r2.counts).toEqual({ manifest: 12, skippedCached: 5, written: 0, failed: 7, inCache: 5, pending: 0 });
    expect(r2.failures.map((f) => f.item).sort()).toEqual(Object.keys(bad).map(badPath).sort());
    expect(partialVideos((await auditCache(out))!)).toEqual([]);
  });

  it('the same cache with other settings is refused (exit 1, the folder and both settings named), and left as it was', async () => {
    const before = fs.readFileSync(path.join(out, 'ingest-report.json'), 'utf8');
    const r = await runCli(
      PVNAS_BIN,
      ['ingest', 'kinetics', '--root', 'k400', '--csv', 'k400/annotations/train.csv', '--out', 'cache', '--short-side', '128'],
      { cwd: tmp.dir },
    );
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 1, stdout: '' });
    expect(r.stderr).toContain(
      `ingest: ${out}: this cache was built with shortSide ${SHORT_SIDE}, not shortSide 128 (use another --out folder, or the same settings to resume)`,
    );
    expect(fs.readFileSync(path.join(out, 'ingest-report.json'), 'utf8')).toBe(before);
    const audit = (await auditCache(out))!;
    expect(partialVideos(audit)).toEqual([]);
    expect(audit.records.size).toBe(good.length);
  });

  it.each([
    [
      'a CSV with only its header',
      'label,youtube_id,time_start,time_end,split\n',
      /ingest: the kinetics manifest lists no videos \(only a header, or an empty list\): check the manifest files; nothing was written/,
    ],
    [
      'a binary file given as --csv',
      Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from('ftypisom'), Buffer.alloc(2000, 0xa7)]),
      /is binary data, not text \(it starts with "\\u0000\\u0000\\u0000 ftypisom.{0,40}"\) \(check that the path names the manifest/,
    ],
  ])('%s is refused (exit 1, a short message, no cache folder)', async (_, content, message) => {
    const csv = writeFile(path.join(tmp.dir, 'odd.csv'), content);
    const r = await runCli(PVNAS_BIN, ['ingest', 'kinetics', '--root', 'k400', '--csv', csv, '--out', 'never'], { cwd: tmp.dir });
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 1, stdout: '' });
    expect(r.stderr).toMatch(message);
    expect(r.stderr.length).toBeLessThan(600);
    expect(fs.existsSync(path.join(tmp.dir, 'never'))).toBe(false);
  });

  it('SSv2 annotations that are an empty list are refused the same way', async () => {
    const labels = writeFile(path.join(tmp.dir, 'ssv2-empty', 'labels.json'), JSON.stringify({ 'Pushing something': '0', 'Pulling something': '1' }));
    const annotations = writeFile(path.join(tmp.dir, 'ssv2-empty', 'train.json'), '[]\n');
    const r = await runCli(PVNAS_BIN, ['ingest', 'ssv2', '--root', 'videos', '--labels', labels, '--annotations', annotations, '--out', 'never'], {
      cwd: tmp.dir,
    });
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 1, stdout: '' });
    expect(r.stderr).toMatch(/ingest: the ssv2 manifest lists no videos \(only a header, or an empty list\)/);
    expect(fs.existsSync(path.join(tmp.dir, 'never'))).toBe(false);
  });

  it('--root without --csv is a usage error naming the missing flag', async () => {
    const r = await runCli(PVNAS_BIN, ['ingest', 'kinetics', '--root', 'k400', '--out', 'never'], { cwd: tmp.dir });
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 1, stdout: '' });
    expect(r.stderr).toContain('--root needs --csv (the Kinetics annotation CSVs)');
    expect(fs.existsSync(path.join(tmp.dir, 'never'))).toBe(false);
  });
});
