/** Resuming from a damaged newest checkpoint: passed over loudly for the previous one, kept as it is. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend/select';
import { loadNewestCheckpoint, saveCheckpoint } from './checkpoint';

describe('loadNewestCheckpoint', () => {
  let root: string;
  beforeAll(async () => {
    await selectBackend({ log: null });
  });
  beforeEach(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'pvnas-ckpt-'));
    for (const step of [4, 8]) await saveCheckpoint(root, `step-${step}`, { epoch: 0, cursor: step, step }, { note: step }, { w: tf.fill([64], step) });
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('loads the newest when it is whole', () => {
    const warnings: string[] = [];
    const r = loadNewestCheckpoint(root, (l) => warnings.push(l))!;
    expect(path.basename(r.dir)).toBe('step-8');
    expect(r.checkpoint.tensors.w.dataSync()[0]).toBe(8);
    expect(warnings).toEqual([]);
  });

  it.each([
    [
      'tensors.bin truncated (a full disk)',
      (dir: string) => fs.truncateSync(path.join(dir, 'tensors.bin'), 100),
      /tensors\.bin has 100 bytes, checkpoint\.json describes 256/,
    ],
    ['checkpoint.json cut short', (dir: string) => fs.writeFileSync(path.join(dir, 'checkpoint.json'), '{"format":'), /checkpoint/],
  ])('falls back to the previous one, loudly, when the newest has %s; the damaged one is kept', (_, damage, why) => {
    damage(path.join(root, 'step-8'));
    const warnings: string[] = [];
    const r = loadNewestCheckpoint(root, (l) => warnings.push(l))!;
    expect(path.basename(r.dir)).toBe('step-4');
    expect(r.checkpoint.tensors.w.dataSync()[0]).toBe(4);
    expect(warnings[0]).toMatch(/^WARNING: checkpoint .*step-8: /);
    expect(warnings[0]).toMatch(why);
    expect(warnings[1]).toMatch(/WARNING: resuming from the older checkpoint step-4: the newer step-8 could not be read/);
    expect(fs.existsSync(path.join(root, 'step-8'))).toBe(true);
  });

  it('throws naming every checkpoint when none reads; undefined when there are none', () => {
    for (const s of ['step-4', 'step-8']) fs.truncateSync(path.join(root, s, 'tensors.bin'), 10);
    expect(() => loadNewestCheckpoint(root, () => {})).toThrow(/no checkpoint under .* can be read:\n .*step-8: .*\n .*step-4: /);
    expect(loadNewestCheckpoint(path.join(root, 'none'), () => {})).toBeUndefined();
  });
});
