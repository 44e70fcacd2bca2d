#!/usr/bin/env node
// Builds the workspace's optional native addons, each only when its system library is installed; otherwise says
// how to get it and goes on, so `npm install` always succeeds and the code falls back:
//  - libs/nas/native (`pvnas_torch`, the `torch` backend: tensors in libtorch on the CPU or a CUDA GPU; fallback:
//    tfjs wasm/cpu) needs libtorch: LIBTORCH=/path, else an installed PyTorch's, else Debian's libtorch-dev
//    (libs/nas/native/find-libtorch.js). PVNAS_TORCH_WERROR=1 compiles it with -Werror (CI does);
//  - libs/ingest/native (`pvnas_turbojpeg`, the frame cache's JPEG decoder; fallback: libjpeg-turbo in
//    WebAssembly, then sharp) needs libturbojpeg (Debian: apt-get install libturbojpeg0-dev);
//  - libs/ingest/native-av (`pvnas_avdecode`, window decoding in process; fallback: one bundled ffmpeg per clip)
//    needs libavformat/libavcodec/libswscale (Debian: apt-get install libavformat-dev libavcodec-dev libswscale-dev).
// Runs as the workspace's postinstall and as `npm run build:native` (--strict: exit 1 unless every addon built).
// `--only torch` / `--only turbojpeg` / `--only avdecode` builds one. PVNAS_SKIP_NATIVE=1 skips all of them.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..', '..');
const strict = process.argv.includes('--strict');
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt >= 0 ? process.argv[onlyAt + 1] : undefined;
const stdLibDirs = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib'];

function say(line) {
  process.stderr.write(`pvnas native: ${line}\n`);
}

function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    (() => {
      try {
        return require.resolve('node-gyp/bin/node-gyp.js', { paths: [root] });
      } catch {
        return undefined;
      }
    })(),
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((c) => c && fs.existsSync(c));
}

/** Runs `node-gyp rebuild` in `dir`; returns undefined when it worked, else the first error lines. */
function gypRebuild(dir, env) {
  const gyp = nodeGyp();
  if (!gyp) return 'node-gyp not found (it ships with npm)';
  const args = [gyp, 'rebuild'];
  const nodedir = process.env.npm_config_nodedir || (fs.existsSync('/usr/include/node/node_api.h') ? '/usr' : undefined);
  if (nodedir) args.push(`--nodedir=${nodedir}`);
  const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });
  if (r.status === 0) return undefined;
  const tail = `${r.stdout}\n${r.stderr}`
    .split('\n')
    .filter((l) => /error|Error/.test(l))
    .slice(0, 12)
    .join('\n');
  return `First errors:\n${tail || `(node-gyp exited with ${r.status}${r.error ? `: ${r.error.message}` : ''})`}`;
}

/**
 * Each addon: `find()` returns { env } when its library is there, or { missing } saying what is not;
 * `off` is what the code does without it.
 */
const addons = [
  {
    key: 'torch',
    dir: path.join(root, 'libs', 'nas', 'native'),
    file: 'pvnas_torch.node',
    off: 'the torch backend is off (tfjs wasm instead, ~20x slower)',
    get: 'apt-get install libtorch-dev, or install PyTorch (python3 -c "import torch" must work), or set LIBTORCH=/path/to/libtorch',
    find() {
      const { findLibtorch, buildEnv } = require(path.join(root, 'libs', 'nas', 'native', 'find-libtorch.js'));
      const { found, tried } = findLibtorch();
      if (!found) return { missing: `libtorch not found (${tried.join('; ')})` };
      const cuda = found.cuda ? `CUDA ${found.cuda}` : 'CPU only';
      const passed = tried.filter((t) => !t.endsWith('not set'));
      return {
        env: buildEnv(found),
        where: `libtorch ${found.version} from ${found.source} (${found.root}, ${cuda}, C++11 ABI ${found.cxx11Abi ? 'on' : 'off'})${passed.length ? `; passed over ${passed.join('; ')}` : ''}`,
        record: found,
      };
    },
  },
  {
    key: 'turbojpeg',
    dir: path.join(root, 'libs', 'ingest', 'native'),
    file: 'pvnas_turbojpeg.node',
    off: 'frame-cache JPEGs decode with libjpeg-turbo in WebAssembly instead (~3x the CPU per frame)',
    get: 'apt-get install libturbojpeg0-dev',
    find() {
      const include = process.env.PVNAS_TURBOJPEG_INCLUDE || '/usr/include';
      const header = path.join(include, 'turbojpeg.h');
      const dirs = [process.env.PVNAS_TURBOJPEG_LIB, ...stdLibDirs].filter(Boolean);
      const lib = dirs.find((d) => fs.existsSync(path.join(d, 'libturbojpeg.so')));
      if (!fs.existsSync(header) || !lib) return { missing: `libturbojpeg not found (${fs.existsSync(header) ? 'no libturbojpeg.so' : `no ${header}`})` };
      return { env: {}, where: `libturbojpeg in ${lib}` };
    },
  },
  {
    key: 'avdecode',
    dir: path.join(root, 'libs', 'ingest', 'native-av'),
    file: 'pvnas_avdecode.node',
    off: 'videos decode with one bundled ffmpeg process per clip instead (~1.8x the time per clip)',
    get: 'apt-get install libavformat-dev libavcodec-dev libswscale-dev',
    find() {
      const include = process.env.PVNAS_LIBAV_INCLUDE || '/usr/include';
      const headers = ['libavformat/avformat.h', 'libavcodec/avcodec.h', 'libswscale/swscale.h'];
      const arch = ['x86_64-linux-gnu', 'aarch64-linux-gnu'].map((a) => path.join(include, a));
      const headerDir = [include, ...arch].find((d) => headers.every((h) => fs.existsSync(path.join(d, h))));
      const dirs = [process.env.PVNAS_LIBAV_LIB, ...stdLibDirs].filter(Boolean);
      const lib = dirs.find((d) => ['libavformat.so', 'libavcodec.so', 'libswscale.so', 'libavutil.so'].every((f) => fs.existsSync(path.join(d, f))));
      if (!headerDir || !lib)
        return {
          missing: `libavformat/libavcodec/libswscale not found (${headerDir ? 'no libavformat.so & co.' : `no ${headers.join(', ')} under ${include}`})`,
        };
      return { env: { PVNAS_LIBAV_INCLUDE: headerDir }, where: `libav in ${lib}` };
    },
  },
];

function buildOne(a) {
  const found = a.find();
  if (found.missing) {
    say(`${found.missing}; ${a.off}. To get it: ${a.get}, then npm run build:native`);
    return false;
  }
  say(`building ${path.relative(root, a.dir)} against ${found.where} ...`);
  const t0 = Date.now();
  const error = gypRebuild(a.dir, found.env);
  if (error) {
    say(`${path.relative(root, a.dir)}: build failed; ${a.off}. ${error}\n(rerun: npm run build:native)`);
    return false;
  }
  // what it was built against, for `pvnas doctor`
  if (found.record) fs.writeFileSync(path.join(a.dir, 'build', 'Release', 'libtorch.json'), JSON.stringify(found.record, null, 2) + '\n');
  say(`built ${path.relative(root, path.join(a.dir, 'build', 'Release', a.file))} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return true;
}

function main() {
  if (process.env.PVNAS_SKIP_NATIVE === '1') {
    say('skipped (PVNAS_SKIP_NATIVE=1)');
    return 0;
  }
  const chosen = addons.filter((a) => !only || a.key === only);
  if (chosen.length === 0) {
    say(`--only ${only}: no such addon (${addons.map((a) => a.key).join(', ')})`);
    return strict ? 1 : 0;
  }
  let ok = true;
  for (const a of chosen) {
    // One addon's failure (or a throw while building it) never stops the others, nor `npm install`.
    try {
      ok = buildOne(a) && ok;
    } catch (e) {
      say(`${a.key}: ${e && e.message ? e.message : e}; ${a.off}`);
      ok = false;
    }
  }
  return ok || !strict ? 0 : 1;
}

process.exit(main());
