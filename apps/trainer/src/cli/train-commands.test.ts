import { program } from './main';

/** The config `pvnas <args> --dry-run` resolves, parsed in process. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a resolved config, read by key path
async function resolved(...args: string[]): Promise<Record<string, any>> {
  const out: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  try {
    await program()
      .exitOverride()
      .parseAsync(['node', 'pvnas', ...args, '--dry-run']);
  } finally {
    write.mockRestore();
  }
  return JSON.parse(out.join(''));
}

const manifest = ['--manifest', 'train.csv', '--root', 'videos'];

describe('command-line flags merge with --set key by key (a user override is never dropped)', () => {
  // every named flag of search, next to a --set of a sibling key of the same object
  it.each([
    [['--epochs', '3'], 'epochs', 3],
    [['--channels', '6'], 'channels', 6],
    [['--seed', '5'], 'seed', 5],
    [['--name', 'my-run'], 'name', 'my-run'],
    [['--runs-dir', 'elsewhere'], 'runsDir', 'elsewhere'],
    [['--backend', 'cpu'], 'backend', 'cpu'],
    [['--workers', '3'], 'workers', 3],
    [['--batch-size', '4'], 'batchSize', 4],
  ])('search %j keeps --set logEvery=3', async (flag, key, value) => {
    const c = await resolved('search', ...flag, '--set', 'logEvery=3');
    expect(c[key]).toEqual(value);
    expect(c.logEvery).toBe(3);
  });

  it('search --jitter and --crop keep --set clips.flipP and clips.window', async () => {
    const c = await resolved('search', '--jitter', '36,44', '--set', 'clips.flipP=0.25', '--crop', '30', '--set', 'clips.window=32');
    expect(c.clips).toMatchObject({ jitter: [36, 44], crop: 30, flipP: 0.25, window: 32 });
  });

  it('search --lr-schedule keeps --set optim.weightLr.initial and optim.gradClip', async () => {
    const c = await resolved('search', '--set', 'optim.weightLr.initial=0.3', '--lr-schedule', 'cosine', '--set', 'optim.gradClip=2');
    expect(c.optim.weightLr).toMatchObject({ kind: 'cosine', initial: 0.3 });
    expect(c.optim.gradClip).toBe(2);
  });

  it('--manifest and its companions keep --set data.cache', async () => {
    const c = await resolved('search', ...manifest, '--val-manifest', 'val.csv', '--set', 'data.cache=/caches/k400');
    expect(c.data).toMatchObject({ source: 'manifest', train: { csv: 'train.csv', root: 'videos' }, val: { csv: 'val.csv' }, cache: '/caches/k400' });
    const d = await resolved('search', '--set', 'data.train.root=/elsewhere', ...manifest, '--cache', '/caches/k400');
    expect(d.data).toMatchObject({ cache: '/caches/k400', train: { root: 'videos' } });
  });

  it('retrain --genotype, --repeats, --jitter, --crop keep sibling --set keys', async () => {
    const c = await resolved(
      'retrain',
      '--dataset',
      'kinetics',
      ...manifest,
      '--genotype',
      'g.json',
      '--set',
      'validateEvery=2',
      '--repeats',
      '2',
      '--jitter',
      '200,240',
      '--set',
      'clips.flipP=0',
      '--crop',
      '180',
      '--set',
      'optim.dropPath=0.2',
    );
    expect(c).toMatchObject({ genotype: 'g.json', repeats: 2, validateEvery: 2, clips: { jitter: [200, 240], crop: 180, flipP: 0 }, optim: { dropPath: 0.2 } });
  });

  it('evaluate --clips, --crop, --shuffle-frames keep sibling --set keys', async () => {
    const c = await resolved('evaluate', '--clips', '4', '--crop', '40', '--shuffle-frames', '--set', 'batchSize=2', '--set', 'allowUpsampling=true');
    expect(c).toMatchObject({ clipsPerVideo: 4, crop: 40, shuffleFrames: true, batchSize: 2, allowUpsampling: true });
  });

  it('a named flag wins over a --set of the very same key', async () => {
    const c = await resolved('search', '--set', 'clips.crop=40', '--crop', '32');
    expect(c.clips.crop).toBe(32);
  });
});

describe('presets', () => {
  it('paper retraining: LR 0.01 per 8 clips, scaled linearly with the global batch; no clipping; drop-path on UCF-101 only', async () => {
    const ssv2 = await resolved('retrain', '--dataset', 'ssv2', ...manifest, '--labels', 'l.json');
    expect(ssv2).toMatchObject({
      batchSize: 8,
      epochs: 196,
      stemStride: 4,
      optim: { lr: { kind: 'cosine', initial: 0.01, warmupEpochs: 36, warmupStart: 0.001 }, gradClip: null, dropPath: 0 },
      clips: { jitter: [256, 320], crop: 224, flipP: 0 },
    });
    const k = await resolved('retrain', '--dataset', 'kinetics', ...manifest, '--batch-size', '64');
    expect(k.optim.lr.initial).toBeCloseTo(0.08, 12);
    expect(k.optim.dropPath).toBe(0);
    const ucf = await resolved('retrain', '--dataset', 'ucf101', '--manifest', 'splits', '--root', 'videos', '--batch-size', '16');
    expect(ucf).toMatchObject({ epochs: 128, optim: { lr: { warmupEpochs: 16 }, dropPath: 0.1 }, clips: { jitter: [128, 256], crop: 112 } });
    expect(ucf.optim.lr.initial).toBeCloseTo(0.02, 12);
    // an explicit learning rate is not rescaled
    expect((await resolved('retrain', '--dataset', 'kinetics', ...manifest, '--batch-size', '64', '--set', 'optim.lr.initial=0.05')).optim.lr.initial).toBe(
      0.05,
    );
  });

  it('paper search: 32 clips (one GPU of the paper), LR 0.1 per 32 clips, step schedule, stem stride 2', async () => {
    const c = await resolved('search', ...manifest);
    expect(c).toMatchObject({
      batchSize: 32,
      epochs: 80,
      channels: 64,
      stemStride: 2,
      temporalStride: 1,
      optim: { weightLr: { kind: 'step', initial: 0.1, stepEpochs: 20 }, oneLevel: 'alternating' },
    });
    expect((await resolved('search', ...manifest, '--batch-size', '8')).optim.weightLr.initial).toBeCloseTo(0.025, 12);
  });

  it('the sample set: small network and clips, validated every epoch, no time-reversal augmentation', async () => {
    const c = await resolved('search');
    expect(c).toMatchObject({
      data: { source: 'sample' },
      channels: 8,
      validateEvery: 1,
      clips: { jitter: [40, 48], crop: 32, flipP: 0 },
      optim: { oneLevel: 'simultaneous', recompute: false },
    });
    expect(c.clips.timeReversal).toBeUndefined();
  });
});

describe('pvnas ablation --dry-run: its flags, budget and folder', () => {
  it('flags set the runs and their budget key by key; the folder name follows the settings, not --jobs', async () => {
    const a = await resolved(
      'ablation',
      '--seeds',
      '1,2',
      '--random',
      '2',
      '--search-epochs',
      '4',
      '--retrain-epochs',
      '3',
      '--set',
      'search.channels=4',
      '--set',
      'retrain.optim.lr.initial=0.01',
      '--jobs',
      '1',
    );
    expect(a.runs).toEqual([
      'search-step-s1',
      'search-cosine-s1',
      'search-step-s2',
      'search-cosine-s2',
      'retrain-random-r1',
      'eval-random-r1',
      'retrain-random-r2',
      'eval-random-r2',
      'retrain-searched-s1',
      'eval-searched-s1',
      'retrain-searched-s2',
      'eval-searched-s2',
      'retrain-early-e1',
      'eval-early-e1',
      'retrain-early-e2',
      'eval-early-e2',
      'retrain-early-e3',
      'eval-early-e3',
      'retrain-2d',
      'eval-2d',
    ]);
    expect(a.search).toMatchObject({ epochs: 4, channels: 4, batchSize: 16, optim: { weightLr: { kind: 'step', initial: 0.05 } } });
    // the ablation's retraining budget (no per-epoch validation) stays under a user's retrain keys
    expect(a.retrain).toMatchObject({ epochs: 3, validateEvery: 0, checkpointEvery: 50, optim: { lr: { kind: 'cosine', initial: 0.01 } } });
    expect(a.evaluate).toMatchObject({ clipsPerVideo: 10, shuffleFrames: true });
    expect(a.jobs).toBe(1);
    const same = await resolved(
      'ablation',
      '--seeds',
      '1,2',
      '--random',
      '2',
      '--search-epochs',
      '4',
      '--retrain-epochs',
      '3',
      '--set',
      'search.channels=4',
      '--set',
      'retrain.optim.lr.initial=0.01',
    );
    expect(same.name).toBe(a.name);
    expect(a.name).toMatch(/^ablation-[0-9a-f]{8}$/);
    expect((await resolved('ablation', '--seeds', '1,3')).name).not.toBe(a.name);
  });

  it('a bad run key fails before anything runs, naming it', async () => {
    await expect(resolved('ablation', '--set', 'search.chanels=4')).rejects.toThrow(/bad search config.*chanels: unknown key/);
  });
});
