import * as tf from '@tensorflow/tfjs-core';
import { loadTorchAddon } from './torch/native';
import { selectBackend } from './select';

describe('selectBackend', () => {
  afterAll(async () => {
    await selectBackend({ backend: 'cpu', log: null });
  });

  it('auto takes torch where the addon is built, else passes over the tfjs-node packages that cannot install here', async () => {
    const lines: string[] = [];
    const info = await selectBackend({ backend: 'auto', log: (l) => lines.push(l) });
    const expected = loadTorchAddon().ok ? 'torch' : 'wasm';
    expect(info.name).toBe(expected);
    expect(tf.getBackend()).toBe(info.tfjsBackend);
    if (expected === 'torch') {
      expect(info.skipped).toEqual([]);
      expect(info.device).toMatch(/^(cpu|cuda:\d+)$/);
    } else {
      expect(info.skipped.map((s) => s.name)).toEqual(['torch', 'tensorflow-gpu', 'tensorflow']);
      expect(info.skipped.find((s) => s.name === 'tensorflow')?.reason).toMatch(/tfjs-node: not installed/);
    }
    expect(info.versions['tfjs-core']).toBe('4.22.0');
    expect(info.threads).toBeGreaterThanOrEqual(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^backend: ${expected} \\(`));
  });

  it('a forced backend is used, or refused with the reason and what to do', async () => {
    expect((await selectBackend({ backend: 'wasm', log: null })).tfjsBackend).toBe('wasm');
    expect((await selectBackend({ backend: 'cpu', log: null })).name).toBe('cpu');
    await expect(selectBackend({ backend: 'tensorflow', log: null })).rejects.toThrow(/tfjs-node: not installed/);
    await expect(selectBackend({ backend: 'tensorflow-gpu', log: null })).rejects.toThrow(
      /tensorflow-gpu: @tensorflow\/tfjs-node-gpu: not installed.*--backend/,
    );
  });

  it('reads PVNAS_BACKEND and rejects unknown names', async () => {
    process.env.PVNAS_BACKEND = 'cpu';
    try {
      expect((await selectBackend({ log: null })).name).toBe('cpu');
      process.env.PVNAS_BACKEND = 'gpu';
      await expect(selectBackend({ log: null })).rejects.toThrow(/tensorflow-gpu|Invalid/);
    } finally {
      delete process.env.PVNAS_BACKEND;
    }
  });

  (loadTorchAddon().ok ? it : it.skip)('torch records libtorch and applies the thread count', async () => {
    const info = await selectBackend({ backend: 'torch', threads: 1, device: 'cpu', log: null });
    expect(info.versions.libtorch).toMatch(/^(1\.13|2)\./);
    expect(info.device).toBe('cpu');
    expect(info.threads).toBe(1);
  });
});
