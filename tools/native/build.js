#!/usr/bin/env node
// Builds libs/nas/native (the `torch` backend's libtorch kernels) when libtorch is installed; otherwise says
// how to get it and exits 0, so `npm install` always succeeds and the backend falls back to wasm/cpu.
// Runs as the workspace's postinstall and as `npm run build:native`. PVNAS_SKIP_NATIVE=1 skips it.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..', '..');
const dir = path.join(root, 'libs', 'nas', 'native');
const include = process.env.PVNAS_TORCH_INCLUDE || '/usr/include';
const libDirs = [process.env.PVNAS_TORCH_LIB, '/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib'].filter(Boolean);
const strict = process.argv.includes('--strict');

function say(line) {
  process.stderr.write(`pvnas native: ${line}\n`);
}

function done(ok, line) {
  say(line);
  process.exit(ok || !strict ? 0 : 1);
}

if (process.env.PVNAS_SKIP_NATIVE === '1') done(true, 'skipped (PVNAS_SKIP_NATIVE=1)');
const header = path.join(include, 'ATen', 'ATen.h');
const lib = libDirs.find((d) => fs.existsSync(path.join(d, 'libtorch_cpu.so')));
if (!fs.existsSync(header) || !lib) {
  done(false, `libtorch not found (${fs.existsSync(header) ? 'no libtorch_cpu.so' : `no ${header}`}); the fast CPU backend is off. ` +
    'To get it: apt-get install libtorch-dev, then npm run build:native');
}

function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    (() => { try { return require.resolve('node-gyp/bin/node-gyp.js', { paths: [root] }); } catch { return undefined; } })(),
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((c) => c && fs.existsSync(c));
}

const gyp = nodeGyp();
if (!gyp) done(false, 'node-gyp not found (it ships with npm); cannot build the fast CPU backend');
const args = [gyp, 'rebuild'];
const nodedir = process.env.npm_config_nodedir || (fs.existsSync('/usr/include/node/node_api.h') ? '/usr' : undefined);
if (nodedir) args.push(`--nodedir=${nodedir}`);
say(`building libs/nas/native against libtorch in ${lib} ...`);
const t0 = Date.now();
const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, PVNAS_TORCH_LIB: process.env.PVNAS_TORCH_LIB || lib } });
if (r.status !== 0) {
  const tail = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => /error|Error/.test(l)).slice(0, 12).join('\n');
  done(false, `build failed; the fast CPU backend is off. First errors:\n${tail}\n(rerun: npm run build:native)`);
}
done(true, `built libs/nas/native/build/Release/pvnas_torch.node in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
