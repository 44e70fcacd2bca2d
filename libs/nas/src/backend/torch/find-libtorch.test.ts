/** The build's libtorch search order (libs/nas/native/find-libtorch.js) on made-up installations. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { findLibtorch, buildEnv } = require('../../../native/find-libtorch.js') as {
  findLibtorch(env: Record<string, string | undefined>): { found?: Record<string, unknown>; tried: string[] };
  buildEnv(found: Record<string, unknown>): Record<string, string>;
};

/** A libtorch layout under `root`: headers, version.h, libtorch_cpu.so (+ libtorch_cuda.so), libc10.so with or without the C++11 ABI. */
function fakeLibtorch(root: string, o: { version: [number, number, number]; cuda?: boolean; cxx11?: boolean }): void {
  fs.mkdirSync(path.join(root, 'include', 'ATen'), { recursive: true });
  fs.writeFileSync(path.join(root, 'include', 'ATen', 'ATen.h'), '');
  const api = path.join(root, 'include', 'torch', 'csrc', 'api', 'include', 'torch');
  fs.mkdirSync(api, { recursive: true });
  const [a, b, c] = o.version;
  fs.writeFileSync(path.join(api, 'version.h'), `#define TORCH_VERSION_MAJOR ${a}\n#define TORCH_VERSION_MINOR ${b}\n#define TORCH_VERSION_PATCH ${c}\n`);
  fs.mkdirSync(path.join(root, 'lib'), { recursive: true });
  fs.writeFileSync(path.join(root, 'lib', 'libtorch_cpu.so'), '');
  fs.writeFileSync(path.join(root, 'lib', 'libc10.so'), o.cxx11 === false ? '_ZN3c106detail' : '_ZN3c1019UndefinedTensorImpl10_singletonB5cxx11E');
  if (o.cuda) fs.writeFileSync(path.join(root, 'lib', 'libtorch_cuda.so'), '');
}

describe('finding libtorch for the build', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvnas-libtorch-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('LIBTORCH comes first, with its version, CUDA and ABI read from the files', () => {
    fakeLibtorch(path.join(dir, 'libtorch'), { version: [2, 5, 1], cuda: true, cxx11: false });
    const r = findLibtorch({ LIBTORCH: path.join(dir, 'libtorch'), PVNAS_PYTHON: '/nonexistent/python3' });
    expect(r.found).toMatchObject({ source: 'LIBTORCH', version: '2.5.1', cuda: 'yes', cxx11Abi: false });
    expect(buildEnv(r.found!)).toMatchObject({ PVNAS_TORCH_CUDA: '1', PVNAS_TORCH_CXX11_ABI: '0', PVNAS_TORCH_LIB: path.join(dir, 'libtorch', 'lib') });
  });

  it('then an installed PyTorch: its include/ and lib/, its CUDA version and ABI flag', () => {
    const torchDir = path.join(dir, 'site-packages', 'torch');
    fakeLibtorch(torchDir, { version: [2, 4, 0], cuda: true });
    const python = path.join(dir, 'python3');
    const info = { root: torchDir, version: '2.4.0+cu121', cuda: '12.1', abi: false };
    fs.writeFileSync(python, `#!/bin/sh\necho '${JSON.stringify(info)}'\n`, { mode: 0o755 });
    const r = findLibtorch({ LIBTORCH: path.join(dir, 'missing'), PVNAS_PYTHON: python });
    expect(r.found).toMatchObject({ source: 'pytorch', version: '2.4.0', cuda: '12.1', cxx11Abi: false, include: path.join(torchDir, 'include') });
    expect(r.tried).toEqual([expect.stringMatching(/^LIBTORCH: no .*ATen\.h/)]);
  });

  it('says why it passed over each one', () => {
    const r = findLibtorch({ PVNAS_PYTHON: path.join(dir, 'no-python') });
    expect(r.tried[0]).toBe('LIBTORCH: not set');
    expect(r.tried[1]).toMatch(/^pytorch: .*no-python: not found/);
    if (!r.found) expect(r.tried[2]).toMatch(/^debian: .*apt-get install libtorch-dev/);
    else expect(r.found.source).toBe('debian');
  });
});
