import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ffmpegToBuffer, IngestError } from '@pvnas/ingest';
import { ensureSampleDataset, generateSampleDataset, readSampleMarker } from './generate';
import type { SampleOptions } from './options';
import { SSV2_LABELS, SSV2_TRAIN, SSV2_VALIDATION } from './plan';
import { renderClip } from './render';

const SMALL: Partial<SampleOptions> = { classes: 2, trainPerClass: 2, valPerClass: 1, width: 64, height: 48, seconds: [1, 1.2], fps: 30, gop: 10 };

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pvnas-sample-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Every file under `dir`, relative, sorted. */
function listFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}

function siblings(root: string): string[] {
  return fs.readdirSync(path.dirname(root)).filter((e) => e.startsWith(`.${path.basename(root)}.`));
}

async function decode(file: string): Promise<{ frames: Uint8Array; stderr: string }> {
  const { stdout, stderr } = await ffmpegToBuffer({ input: file, outputOptions: ['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-vsync', '0'] });
  return { frames: new Uint8Array(stdout.buffer, stdout.byteOffset, stdout.length), stderr };
}

describe('generateSampleDataset', () => {
  it('writes both layouts with valid manifests and decodable videos holding the rendered frames', async () => {
    const root = path.join(tmp, 'a', 'sample');
    const marker = await generateSampleDataset({ ...SMALL, root, log: null });
    expect(readSampleMarker(root)).toEqual(marker);
    expect(marker.summary.clips).toEqual({ train: 4, val: 2 });
    expect(marker.clips).toHaveLength(6);
    expect(siblings(root)).toEqual([]); // no partial folder, no lock left behind

    // Kinetics CSVs: header, one row per clip, pointing at files that exist.
    const train = fs.readFileSync(path.join(root, 'kinetics/annotations/train.csv'), 'utf8').trimEnd().split('\n');
    const val = fs.readFileSync(path.join(root, 'kinetics/annotations/validate.csv'), 'utf8').trimEnd().split('\n');
    expect(train[0]).toBe('label,youtube_id,time_start,time_end,split');
    expect(train).toHaveLength(5);
    expect(val).toHaveLength(3);
    for (const [lines, split, dir] of [
      [train, 'train', 'train'],
      [val, 'val', 'val'],
    ] as const) {
      for (const line of lines.slice(1)) {
        const [label, id, start, end, s] = line.split(',');
        expect(s).toBe(split);
        const file = `kinetics/${dir}/${label!.replace(/ /g, '_')}/${id}_${start!.padStart(6, '0')}_${end!.padStart(6, '0')}.mp4`;
        expect(fs.existsSync(path.join(root, file))).toBe(true);
      }
    }
    // SSv2 JSON: labels map and entries whose videos exist.
    const labels = JSON.parse(fs.readFileSync(path.join(root, SSV2_LABELS), 'utf8'));
    expect(labels).toEqual({ 'Moving something from left to right': '0', 'Moving something from right to left': '1' });
    const entries = [SSV2_TRAIN, SSV2_VALIDATION].flatMap((f) => JSON.parse(fs.readFileSync(path.join(root, f), 'utf8')) as Array<{ id: string }>);
    expect(entries).toHaveLength(6);
    for (const e of entries) expect(fs.existsSync(path.join(root, `ssv2/20bn-something-something-v2/${e.id}.webm`))).toBe(true);

    // Every video decodes to exactly its frames, close to what the renderer drew.
    const frameBytes = 64 * 48 * 3;
    for (const clip of marker.clips) {
      const rendered = renderClip({ cls: clip.label, seed: clip.sceneSeed, width: 64, height: 48, frames: clip.frames, fps: 30 });
      for (const [rel, codec] of [
        [clip.kinetics!, /Video: h264/],
        [clip.ssv2!, /Video: vp9/],
      ] as const) {
        const { frames, stderr } = await decode(path.join(root, rel));
        expect(stderr).toMatch(codec);
        expect(frames.length / frameBytes).toBe(clip.frames);
        let err = 0;
        for (let i = 0; i < frames.length; i++) err += Math.abs(frames[i]! - rendered.frames[i]!);
        expect(err / frames.length).toBeLessThan(10); // lossy, but the same pictures in the same order
      }
    }

    // Same options again: byte-identical files, videos included (single-threaded, bit-exact encoders).
    const root2 = path.join(tmp, 'b', 'sample');
    await generateSampleDataset({ ...SMALL, root: root2, log: null });
    const files = listFiles(root);
    expect(listFiles(root2)).toEqual(files);
    for (const f of files) expect(fs.readFileSync(path.join(root2, f)).equals(fs.readFileSync(path.join(root, f)))).toBe(true);
    // Another seed: other content.
    const root3 = path.join(tmp, 'c', 'sample');
    const other = await generateSampleDataset({ ...SMALL, seed: 5, layouts: ['kinetics'], root: root3, log: null });
    expect(other.summary.framesSha256).not.toBe(marker.summary.framesSha256);
    expect(fs.existsSync(path.join(root3, 'ssv2'))).toBe(false);
  });
});

describe('ensureSampleDataset', () => {
  it('generates only when the marker is missing, stale or incomplete, and refuses a foreign folder', async () => {
    const root = path.join(tmp, 'ensure', 'sample');
    const lines: string[] = [];
    const log = (l: string): void => void lines.push(l);
    expect(await ensureSampleDataset(root, { ...SMALL, log })).toBe(path.resolve(root));
    expect(lines[0]).toMatch(/^sample: generating 6 clips/);
    expect(lines[lines.length - 1]).toMatch(/^sample: done in/);

    // Up to date: nothing happens (a file we drop in survives, nothing is logged).
    fs.writeFileSync(path.join(root, 'sentinel'), 'x');
    lines.length = 0;
    await ensureSampleDataset(root, { ...SMALL, log });
    expect(lines).toEqual([]);
    expect(fs.existsSync(path.join(root, 'sentinel'))).toBe(true);

    // A listed video is gone: regenerated.
    const marker = readSampleMarker(root)!;
    fs.rmSync(path.join(root, marker.clips[0]!.ssv2!));
    await ensureSampleDataset(root, { ...SMALL, log });
    expect(fs.existsSync(path.join(root, marker.clips[0]!.ssv2!))).toBe(true);
    expect(fs.existsSync(path.join(root, 'sentinel'))).toBe(false);

    // Other options: regenerated with them.
    await ensureSampleDataset(root, { ...SMALL, seed: 3, log });
    expect(readSampleMarker(root)!.options.seed).toBe(3);
    expect(siblings(root)).toEqual([]);

    // Layouts: a dataset with more layouts serves a request for fewer; a missing layout is added to those it had.
    await ensureSampleDataset(root, { ...SMALL, seed: 4, layouts: ['kinetics'], log });
    expect(readSampleMarker(root)!.options.layouts).toEqual(['kinetics']);
    lines.length = 0;
    await ensureSampleDataset(root, { ...SMALL, seed: 4, layouts: ['kinetics'], log });
    expect(lines).toEqual([]);
    await ensureSampleDataset(root, { ...SMALL, seed: 4, layouts: ['ssv2'], log });
    expect(readSampleMarker(root)!.options.layouts).toEqual(['kinetics', 'ssv2']);
    lines.length = 0;
    await ensureSampleDataset(root, { ...SMALL, seed: 4, layouts: ['kinetics'], log });
    expect(lines).toEqual([]);

    // A folder that is not a sample dataset is never replaced.
    const foreign = path.join(tmp, 'foreign');
    fs.mkdirSync(foreign);
    fs.writeFileSync(path.join(foreign, 'precious.txt'), 'keep me');
    const err = await ensureSampleDataset(foreign, { ...SMALL, log: null }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IngestError);
    expect((err as IngestError).kind).toBe('bad-config');
    expect((err as IngestError).item).toBe(foreign);
    expect(fs.readdirSync(foreign)).toEqual(['precious.txt']);
  });
});
