/**
 * `ingest ssv2` and `ingest ucf101` end to end on tiny datasets in the official layouts: SSv2 from the sample
 * generator (labels json, train/validation json, <id>.webm), UCF-101 built here (classInd.txt, trainlist01.txt,
 * testlist01.txt, <Class>/v_<Class>_gNN_cNN.avi). Each run fills a cache with every good video, whole.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FrameCache, type BuildReport } from '@pvnas/ingest';
import { generateSampleDataset, SSV2_LABELS, SSV2_TRAIN, SSV2_VALIDATION, SSV2_VIDEO_DIR, stripBrackets, type SampleMarker } from '@pvnas/sample';
import { auditCache, partialVideos } from './support/cache';
import { PVNAS_BIN, runCli } from './support/cli';
import { makeTempDir, writeFile } from './support/datasets';
import { encodeVideo } from '@pvnas/ingest/testing';

jest.setTimeout(60_000);

const readReport = (out: string): BuildReport => JSON.parse(fs.readFileSync(path.join(out, 'ingest-report.json'), 'utf8')) as BuildReport;

describe('ingest ssv2 / ucf101 (CLI) on tiny datasets', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeAll(() => {
    tmp = makeTempDir('e2e-datasets');
  });
  afterAll(() => tmp?.remove());

  it("ssv2: the sample generator's SSv2 layout, --fps native; an entry with an unknown template is reported by index", async () => {
    const root = path.join(tmp.dir, 'sample');
    const marker: SampleMarker = await generateSampleDataset({
      root,
      classes: 2,
      trainPerClass: 2,
      valPerClass: 1,
      width: 64,
      height: 48,
      seconds: [1, 1.3],
      layouts: ['ssv2'],
      log: null,
    });
    // One more validation entry whose template is not among the labels.
    const valFile = path.join(root, SSV2_VALIDATION);
    const val = JSON.parse(fs.readFileSync(valFile, 'utf8')) as unknown[];
    val.push({ id: '999999', label: 'juggling three balls', template: 'Juggling [something]', placeholders: ['three balls'] });
    fs.writeFileSync(valFile, JSON.stringify(val));

    const out = path.join(tmp.dir, 'ssv2-cache');
    const run = await runCli(
      PVNAS_BIN,
      [
        'ingest',
        'ssv2',
        '--root',
        path.join(root, SSV2_VIDEO_DIR),
        '--labels',
        path.join(root, SSV2_LABELS),
        '--annotations',
        path.join(root, SSV2_TRAIN),
        '--annotations',
        valFile,
        '--fps',
        'native',
        '--short-side',
        '48',
        '--workers',
        '2',
        '--out',
        out,
      ],
      { cwd: tmp.dir },
    );
    expect(run.code).toBe(0);
    const report = readReport(out);
    expect(report.settings).toEqual({ shortSide: 48, fps: 0, quality: 90 });
    expect(report.counts).toEqual({ manifest: 6, skippedCached: 0, written: 6, failed: 0, inCache: 6, pending: 0 });
    expect(report.failures).toEqual([]);
    expect(report.manifestIssues).toEqual([
      { file: valFile, line: 3, reason: expect.stringMatching(/video 999999: template "Juggling \[something\]" is not in /) },
    ]);

    expect(partialVideos((await auditCache(out))!)).toEqual([]);
    const cache = FrameCache.openReader(out);
    try {
      const labels = JSON.parse(fs.readFileSync(path.join(root, SSV2_LABELS), 'utf8')) as Record<string, string>;
      const got = [...cache.videos()].map((v) => ({ id: v.id, frames: v.frames, fps: v.fps, w: v.width, h: v.height, label: v.label, codec: v.source.codec }));
      expect(new Set(got.map((g) => g.label))).toEqual(new Set([0, 1]));
      const want = marker.clips.map((c) => {
        // The labels file's keys are the class templates without brackets.
        const template = stripBrackets(marker.classes.find((k) => k.name === c.label)!.template);
        return { id: path.basename(c.ssv2!, '.webm'), frames: c.frames, fps: 30, w: 64, h: 48, label: Number(labels[template]), codec: 'vp9' };
      });
      expect(got.sort((a, b) => a.id.localeCompare(b.id))).toEqual(want.sort((a, b) => a.id.localeCompare(b.id)));
    } finally {
      await cache.close();
    }
  });

  it('ucf101: classInd + trainlist01/testlist01 (relative paths); a missing video fails by path, bad lines are reported by file:line', async () => {
    const classes = ['ApplyEyeMakeup', 'Archery', 'Basketball'];
    const videos = [
      { rel: 'ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi', seconds: 1, label: 0 },
      { rel: 'Archery/v_Archery_g09_c02.avi', seconds: 1.5, label: 1 },
      { rel: 'ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.avi', seconds: 1.2, label: 0 },
      { rel: 'Basketball/v_Basketball_g01_c03.avi', seconds: 1, label: 2 },
    ];
    const videoRoot = path.join(tmp.dir, 'UCF-101');
    await Promise.all(
      videos.map((v) => {
        fs.mkdirSync(path.join(videoRoot, path.dirname(v.rel)), { recursive: true });
        // UCF-101 ships MPEG-4 part 2 (xvid) in AVI, 25 fps.
        return encodeVideo(path.join(videoRoot, path.dirname(v.rel)), {
          name: path.basename(v.rel),
          source: `testsrc=size=64x48:rate=25:duration=${v.seconds}`,
          encode: ['-c:v', 'mpeg4', '-q:v', '5'],
        });
      }),
    );
    const splits = path.join(tmp.dir, 'ucfTrainTestlist');
    writeFile(path.join(splits, 'classInd.txt'), classes.map((c, i) => `${i + 1} ${c}`).join('\r\n') + '\r\n'); // the official files have CRLF
    const trainlist = writeFile(
      path.join(splits, 'trainlist01.txt'),
      [
        `${videos[0].rel} 1`,
        `${videos[1].rel} 2`,
        'Basketball/v_Basketball_g10_c01.avi 3', // listed, not on disk
        'Archery/v_Archery_g10_c01.avi 7', // class number out of range
      ].join('\r\n') + '\r\n',
    );
    const testlist = writeFile(
      path.join(splits, 'testlist01.txt'),
      [videos[2].rel, 'Bowling/v_Bowling_g01_c01.avi', videos[3].rel].join('\r\n') + '\r\n', // Bowling: not in classInd
    );

    const run = await runCli(
      PVNAS_BIN,
      ['ingest', 'ucf101', '--root', 'UCF-101', '--splits-dir', 'ucfTrainTestlist', '--split', '1', '--workers', '2', '--out', 'ucf-cache'],
      {
        cwd: tmp.dir,
      },
    );
    expect(run.code).toBe(0);
    const out = path.join(tmp.dir, 'ucf-cache');
    const report = readReport(out);
    expect(report.settings).toEqual({ shortSide: 128, fps: 30, quality: 90 });
    expect(report.counts).toEqual({ manifest: 5, skippedCached: 0, written: 4, failed: 1, inCache: 4, pending: 0 });
    const missing = path.join(videoRoot, 'Basketball', 'v_Basketball_g10_c01.avi');
    expect(report.failures).toEqual([{ item: missing, kind: 'missing-file', reason: 'file does not exist' }]);
    expect(run.stderr).toContain(`${missing}: file does not exist`);
    expect(report.manifestIssues).toEqual([
      { file: trainlist, line: 4, reason: 'class number "7" is not in 1..3' },
      { file: testlist, line: 2, reason: 'unknown label: folder "Bowling" is not in classInd.txt' },
    ]);
    expect(run.stderr).toContain(`${testlist}:2: unknown label`);

    const audit = (await auditCache(out))!;
    expect(partialVideos(audit)).toEqual([]);
    const cache = FrameCache.openReader(out);
    try {
      const got = [...cache.videos()].map((v) => ({
        id: v.id,
        frames: v.frames,
        label: v.label,
        labelName: v.labelName,
        w: v.width,
        h: v.height,
        src: v.source,
      }));
      const want = videos.map((v) => ({
        id: path.basename(v.rel, '.avi'),
        frames: Math.round((Math.round(v.seconds * 25) * 30) / 25), // 25 fps resampled to 30
        label: v.label,
        labelName: classes[v.label],
        w: 170,
        h: 128,
        src: { path: path.join(videoRoot, v.rel), frames: Math.round(v.seconds * 25), fps: 25, width: 64, height: 48, codec: 'mpeg4' },
      }));
      expect(got.sort((a, b) => a.id.localeCompare(b.id))).toEqual(want.sort((a, b) => a.id.localeCompare(b.id)));
      // Frames read back at the cached size.
      const clip = await cache.readClip('v_Archery_g09_c02', [0, 44]);
      expect({ frames: clip.frames, width: clip.width, height: clip.height }).toEqual({ frames: 2, width: 170, height: 128 });
    } finally {
      await cache.close();
    }
  });
});
