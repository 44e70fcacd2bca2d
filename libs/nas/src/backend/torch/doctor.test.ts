import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { diagnose, type DoctorFacts } from './doctor';
import { loadTorchAddon } from './native';

const version = (cuda: boolean, gpus: number) => ({ torch: '2.4.1', config: '', cuda, cudnn: cuda, gpus });
const gpu = { index: 0, name: 'NVIDIA H100 80GB HBM3', memoryMiB: 81559, driver: '550.54' };
const base: DoctorFacts = {
  addonPath: '/x/pvnas_torch.node',
  load: { ok: true, version: version(false, 0) },
  build: { source: 'debian', root: '/usr', include: '/usr/include', lib: '/usr/lib', version: '1.13.0', cuda: null, cxx11Abi: true },
  gpus: undefined,
  backend: 'torch',
  threads: 2,
};

describe('pvnas doctor', () => {
  it('a CPU build on a machine without GPUs: torch on cpu, nothing to fix', () => {
    const r = diagnose(base);
    expect(r).toMatchObject({ backend: 'torch', device: 'cpu', libtorch: { version: '2.4.1', source: 'debian', cuda: null }, gpus: [], threads: 2, fixes: [] });
  });

  it('a CUDA build with a visible GPU defaults to cuda:0 and lists the GPU', () => {
    const build = { ...base.build!, source: 'pytorch' as const, cuda: '12.1' };
    const r = diagnose({ ...base, load: { ok: true, version: version(true, 1) }, build, gpus: [gpu] });
    expect(r).toMatchObject({ device: 'cuda:0', libtorch: { source: 'pytorch', cuda: '12.1', cudnn: true }, gpus: [gpu], fixes: [] });
  });

  it('says how to fix a CPU-only build on a GPU machine, a CUDA build that sees no GPU, and a missing addon', () => {
    expect(diagnose({ ...base, gpus: [gpu] }).fixes).toEqual([expect.stringMatching(/without CUDA.*PVNAS_PYTHON=.*npm run build:native/)]);
    expect(diagnose({ ...base, load: { ok: true, version: version(true, 0) } }).fixes).toEqual([expect.stringMatching(/sees no GPU.*CUDA_VISIBLE_DEVICES/)]);
    const missing = diagnose({ ...base, load: { ok: false, reason: 'pvnas_torch.node is not built' }, build: undefined, backend: 'wasm' });
    expect(missing).toMatchObject({ backend: 'wasm', device: 'cpu', libtorch: null, addon: { loaded: false } });
    expect(missing.fixes).toEqual([expect.stringMatching(/does not load.*apt-get install libtorch-dev && npm run build:native.*LIBTORCH=/)]);
  });

  it('the command prints one JSON line with the fields of the contract, and its summary on stderr', () => {
    const root = path.resolve(__dirname, '../../../../..');
    const r = spawnSync(process.execPath, [path.join(root, 'apps/trainer/bin/pvnas.js'), 'doctor'], { encoding: 'utf8', timeout: 120000 });
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0]);
    expect(Object.keys(report)).toEqual(expect.arrayContaining(['backend', 'device', 'libtorch', 'gpus', 'threads']));
    expect(r.stderr).toMatch(/^backend \w+ on (cpu|cuda:\d+)/m);
    if (loadTorchAddon().ok) {
      expect(report.backend).toBe('torch');
      expect(report.libtorch).toMatchObject({
        version: expect.stringMatching(/^\d+\.\d+\.\d+$/),
        source: expect.stringMatching(/^(LIBTORCH|pytorch|debian)$/),
      });
    } else {
      expect(report.libtorch).toBeNull();
      expect(r.stderr).toMatch(/fix: the torch addon does not load/);
    }
  });
});
