// Finds the libtorch the `pvnas_torch` addon builds against, in this order:
//   1. LIBTORCH=/path: an unpacked libtorch (include/, lib/), e.g. from pytorch.org's libtorch zip;
//   2. the libtorch inside an installed PyTorch (`python3 -c 'import torch'`, or PVNAS_PYTHON): its include/ and
//      lib/, with CUDA when that PyTorch has it, and its C++ ABI flag;
//   3. Debian/Ubuntu's libtorch-dev (/usr/include, /usr/lib/<arch>).
// `findLibtorch()` returns { found: {source, root, include, lib, version, cuda, cxx11Abi}, tried: [why each earlier
// one was passed over] } or { tried } when there is none. Plain CommonJS: build-native.js runs it before any build.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const LIB_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib'];

/** "x.y.z" from include/torch/csrc/api/include/torch/version.h, or undefined. */
function headerVersion(include) {
  const file = path.join(include, 'torch', 'csrc', 'api', 'include', 'torch', 'version.h');
  if (!fs.existsSync(file)) return undefined;
  const text = fs.readFileSync(file, 'utf8');
  const part = (k) => (new RegExp(`#define TORCH_VERSION_${k} (\\d+)`).exec(text) || [])[1];
  return [part('MAJOR'), part('MINOR'), part('PATCH')].every(Boolean) ? `${part('MAJOR')}.${part('MINOR')}.${part('PATCH')}` : undefined;
}

/** Whether libc10 was built with the C++11 std::string ABI (its mangled names then carry `B5cxx11`). */
function cxx11Abi(lib) {
  const file = path.join(lib, 'libc10.so');
  try {
    return fs.readFileSync(file).includes('B5cxx11');
  } catch {
    return true;
  }
}

/** { root, include, lib } checked to hold the headers and libraries, or a string saying what is missing. */
function layout(root, include, lib) {
  if (!fs.existsSync(path.join(include, 'ATen', 'ATen.h'))) return `no ${path.join(include, 'ATen', 'ATen.h')}`;
  if (!headerVersion(include)) return `no torch/version.h under ${include}`;
  if (!fs.existsSync(path.join(lib, 'libtorch_cpu.so'))) return `no ${path.join(lib, 'libtorch_cpu.so')}`;
  return { root, include, lib, version: headerVersion(include), cxx11Abi: cxx11Abi(lib) };
}

function fromLibtorchEnv(dir) {
  const l = layout(dir, path.join(dir, 'include'), path.join(dir, 'lib'));
  if (typeof l === 'string') return l;
  return { source: 'LIBTORCH', ...l, cuda: fs.existsSync(path.join(dir, 'lib', 'libtorch_cuda.so')) ? 'yes' : null };
}

function fromPython(python) {
  // NCCL's header for ProcessGroupNCCL: pip wheels keep it in the nvidia-nccl package (site-packages/nvidia/nccl)
  const script =
    'import json, os, importlib.util\n' +
    'def ncclInclude():\n' +
    '    try:\n' +
    '        s = importlib.util.find_spec("nvidia.nccl")\n' +
    '        d = os.path.join(list(s.submodule_search_locations)[0], "include") if s else None\n' +
    '        return d if d and os.path.exists(os.path.join(d, "nccl.h")) else None\n' +
    '    except Exception:\n' +
    '        return None\n' +
    'import torch; print(json.dumps({"root": os.path.dirname(torch.__file__), "version": torch.__version__, ' +
    '"cuda": torch.version.cuda, "abi": bool(torch._C._GLIBCXX_USE_CXX11_ABI), "nccl": ncclInclude()}))';
  const r = spawnSync(python, ['-c', script], { encoding: 'utf8', timeout: 60000 });
  if (r.error) return `${python}: ${r.error.code === 'ENOENT' ? 'not found' : r.error.message}`;
  if (r.status !== 0) return `${python} cannot import torch (${(r.stderr || '').trim().split('\n').pop()})`;
  let info;
  try {
    info = JSON.parse(r.stdout.trim().split('\n').pop());
  } catch {
    return `${python}: unexpected output from import torch`;
  }
  const l = layout(info.root, path.join(info.root, 'include'), path.join(info.root, 'lib'));
  if (typeof l === 'string') return `PyTorch ${info.version} at ${info.root}: ${l}`;
  const hasCudaLib = fs.existsSync(path.join(info.root, 'lib', 'libtorch_cuda.so'));
  return { source: 'pytorch', ...l, cxx11Abi: info.abi, cuda: info.cuda && hasCudaLib ? info.cuda : null, ...(info.nccl && { ncclInclude: info.nccl }) };
}

function fromDebian() {
  const lib = LIB_DIRS.find((d) => fs.existsSync(path.join(d, 'libtorch_cpu.so')));
  if (!lib) return 'no libtorch_cpu.so in ' + LIB_DIRS.join(', ') + ' (apt-get install libtorch-dev)';
  const l = layout('/usr', '/usr/include', lib);
  if (typeof l === 'string') return `${l} (apt-get install libtorch-dev)`;
  return { source: 'debian', ...l, cuda: fs.existsSync(path.join(lib, 'libtorch_cuda.so')) ? 'yes' : null };
}

function findLibtorch(env = process.env) {
  const tried = [];
  const attempts = [
    ['LIBTORCH', () => (env.LIBTORCH ? fromLibtorchEnv(env.LIBTORCH) : 'not set')],
    ['pytorch', () => fromPython(env.PVNAS_PYTHON || 'python3')],
    ['debian', fromDebian],
  ];
  for (const [name, attempt] of attempts) {
    const r = attempt();
    if (typeof r !== 'string') return { found: r, tried };
    tried.push(`${name}: ${r}`);
  }
  return { tried };
}

/** The environment binding.gyp reads for a found libtorch. */
function buildEnv(found) {
  return {
    PVNAS_TORCH_INCLUDE: found.include,
    PVNAS_TORCH_LIB: found.lib,
    PVNAS_TORCH_CUDA: found.cuda ? '1' : '0',
    PVNAS_TORCH_CXX11_ABI: found.cxx11Abi ? '1' : '0',
    ...(found.ncclInclude && { PVNAS_NCCL_INCLUDE: found.ncclInclude }),
  };
}

module.exports = { findLibtorch, buildEnv };

if (require.main === module) process.stdout.write(JSON.stringify(findLibtorch(), null, 2) + '\n');
