import { IngestError } from '@pvnas/ingest';
import { SAMPLE_CLASSES } from './classes';
import { DEFAULT_SAMPLE_OPTIONS, resolveSampleOptions } from './options';
import {
  KINETICS_HEADER,
  KINETICS_TRAIN_CSV,
  KINETICS_VAL_CSV,
  SSV2_LABELS,
  SSV2_TRAIN,
  SSV2_VALIDATION,
  manifestFiles,
  planSampleDataset,
  type Ssv2Entry,
} from './plan';

function badConfig(fn: () => unknown): IngestError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(IngestError);
    expect((err as IngestError).kind).toBe('bad-config');
    return err as IngestError;
  }
  throw new Error('expected an IngestError');
}

describe('resolveSampleOptions', () => {
  it('fills the documented defaults', () => {
    expect(resolveSampleOptions()).toEqual({
      seed: 0,
      classes: 8,
      trainPerClass: 48,
      valPerClass: 16,
      width: 64,
      height: 48,
      seconds: [2.2, 2.6],
      fps: 30,
      gop: 15,
      layouts: ['kinetics', 'ssv2'],
    });
    expect(resolveSampleOptions({ classes: 2, layouts: ['ssv2', 'kinetics'], seconds: [1, 1] })).toMatchObject({
      classes: 2,
      layouts: ['kinetics', 'ssv2'],
      seconds: [1, 1],
      fps: 30,
    });
  });

  it('names the bad option', () => {
    expect(badConfig(() => resolveSampleOptions({ classes: 1 })).message).toMatch(/classes/);
    expect(badConfig(() => resolveSampleOptions({ classes: 9 })).message).toMatch(/classes/);
    expect(badConfig(() => resolveSampleOptions({ width: 161 })).message).toMatch(/even/);
    expect(badConfig(() => resolveSampleOptions({ seconds: [4, 3] })).message).toMatch(/seconds/);
    expect(badConfig(() => resolveSampleOptions({ seconds: [0.01, 1] })).message).toMatch(/fewer than 2 frames/);
    expect(badConfig(() => resolveSampleOptions({ layouts: [] })).message).toMatch(/layouts/);
    expect(badConfig(() => resolveSampleOptions({ layouts: ['ucf101' as never] })).message).toMatch(/layouts/);
    expect(badConfig(() => resolveSampleOptions({ trainPerClass: 0 })).message).toMatch(/trainPerClass/);
    expect(badConfig(() => resolveSampleOptions({ fps: 29.97 })).message).toMatch(/fps/);
  });
});

describe('planSampleDataset', () => {
  const o = resolveSampleOptions();
  const clips = planSampleDataset(o);

  it('plans 48 + 16 clips of 2.2-2.6 s (just over the 64-frame window) for each of the 8 classes with unique, well-formed ids', () => {
    expect(clips).toHaveLength(512);
    expect(clips.filter((c) => c.split === 'train')).toHaveLength(384);
    for (const cls of SAMPLE_CLASSES) {
      expect(clips.filter((c) => c.cls.name === cls.name && c.split === 'train')).toHaveLength(48);
      expect(clips.filter((c) => c.cls.name === cls.name && c.split === 'val')).toHaveLength(16);
    }
    const lengths = clips.map((c) => c.frames);
    expect(Math.min(...lengths)).toBeGreaterThanOrEqual(66);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(78);
    expect(new Set(lengths).size).toBeGreaterThan(10); // really drawn per clip
    expect(new Set(clips.map((c) => c.kinetics.youtubeId)).size).toBe(512);
    expect(new Set(clips.map((c) => c.ssv2.id)).size).toBe(512);
    expect(new Set(clips.map((c) => c.sceneSeed)).size).toBe(512);
    for (const c of clips) {
      expect(c.kinetics.youtubeId).toMatch(/^[A-Za-z0-9_-]{11}$/);
      expect(c.ssv2.id).toMatch(/^[1-9]\d*$/);
      expect(c.kinetics.timeEnd).toBeGreaterThan(c.kinetics.timeStart);
      const dir = c.split === 'train' ? 'train' : 'val';
      const stem = `${c.kinetics.youtubeId}_${String(c.kinetics.timeStart).padStart(6, '0')}_${String(c.kinetics.timeEnd).padStart(6, '0')}`;
      expect(c.kinetics.path).toBe(`kinetics/${dir}/${c.cls.name.replace(/ /g, '_')}/${stem}.mp4`);
      expect(c.ssv2.path).toBe(`ssv2/20bn-something-something-v2/${c.ssv2.id}.webm`);
    }
  });

  it('is deterministic in the seed, and a subset of classes keeps the first N', () => {
    expect(planSampleDataset(resolveSampleOptions())).toEqual(clips);
    const other = planSampleDataset(resolveSampleOptions({ seed: 1 }));
    expect(other.map((c) => c.kinetics.youtubeId)).not.toEqual(clips.map((c) => c.kinetics.youtubeId));
    const two = planSampleDataset(resolveSampleOptions({ classes: 2, trainPerClass: 2, valPerClass: 1 }));
    expect([...new Set(two.map((c) => c.cls.name))]).toEqual(['moving left', 'moving right']);
    expect(two).toHaveLength(6);
  });
});

describe('manifestFiles', () => {
  const o = resolveSampleOptions();
  const clips = planSampleDataset(o);
  const files = manifestFiles(clips, o);

  it('writes Kinetics CSVs with the official header, split values and sorted rows', () => {
    for (const [file, split, count] of [
      [KINETICS_TRAIN_CSV, 'train', 384],
      [KINETICS_VAL_CSV, 'val', 128],
    ] as const) {
      const lines = files[file]!.trimEnd().split('\n');
      expect(lines[0]).toBe(KINETICS_HEADER);
      expect(lines).toHaveLength(count + 1);
      const rows = lines.slice(1).map((l) => l.split(','));
      for (const r of rows) {
        expect(r).toHaveLength(5);
        expect(SAMPLE_CLASSES.map((c) => c.name)).toContain(r[0]);
        expect(r[2]).toMatch(/^\d+$/);
        expect(r[4]).toBe(split);
        const clip = clips.find((c) => c.kinetics.youtubeId === r[1])!;
        expect(clip.split).toBe(split);
        expect(clip.cls.name).toBe(r[0]);
        expect([Number(r[2]), Number(r[3])]).toEqual([clip.kinetics.timeStart, clip.kinetics.timeEnd]);
      }
      const keys = rows.map((r) => `${r[0]}\u0000${r[1]}`);
      expect(keys).toEqual([...keys].sort());
    }
    expect(files[KINETICS_TRAIN_CSV]).toContain('\nmoving left,');
    expect(files[KINETICS_TRAIN_CSV]).toContain('\nrotating counterclockwise,');
  });

  it('writes SSv2 labels (bracket-free templates, alphabetical indices) and entries', () => {
    const labels = JSON.parse(files[SSV2_LABELS]!) as Record<string, string>;
    const templates = Object.keys(labels);
    expect(templates).toEqual([...templates].sort());
    expect(Object.values(labels)).toEqual(templates.map((_, i) => String(i)));
    expect(templates).toContain('Moving something from left to right');
    expect(templates.some((t) => t.includes('['))).toBe(false);

    for (const [file, split] of [
      [SSV2_TRAIN, 'train'],
      [SSV2_VALIDATION, 'val'],
    ] as const) {
      const entries = JSON.parse(files[file]!) as Ssv2Entry[];
      expect(entries).toHaveLength(clips.filter((c) => c.split === split).length);
      for (const e of entries) {
        expect(Object.keys(e)).toEqual(['id', 'label', 'template', 'placeholders']);
        expect(labels[e.template.replace(/\[|\]/g, '')]).toBeDefined();
        expect(e.template).toContain('[something]');
        expect(e.placeholders).toHaveLength(1);
        expect(e.placeholders[0]).toMatch(/^a (striped|checkered|mottled|pinwheel) (disc|square|triangle|ellipse)$/);
        const filled = e.template.replace('[something]', e.placeholders[0]!);
        expect(e.label).toBe(filled.charAt(0).toLowerCase() + filled.slice(1));
        const clip = clips.find((c) => c.ssv2.id === e.id)!;
        expect(clip.split).toBe(split);
        expect(clip.cls.template).toBe(e.template);
      }
    }
  });

  it('gives identical manifests for the same options, and only the chosen layouts', () => {
    expect(manifestFiles(planSampleDataset(resolveSampleOptions()), resolveSampleOptions())).toEqual(files);
    const k = resolveSampleOptions({ ...DEFAULT_SAMPLE_OPTIONS, layouts: ['kinetics'] });
    expect(Object.keys(manifestFiles(planSampleDataset(k), k)).sort()).toEqual([KINETICS_TRAIN_CSV, KINETICS_VAL_CSV]);
    const seed1 = resolveSampleOptions({ seed: 1 });
    expect(manifestFiles(planSampleDataset(seed1), seed1)[KINETICS_TRAIN_CSV]).not.toBe(files[KINETICS_TRAIN_CSV]);
  });
});
