#!/usr/bin/env node
// Bundles the viewer page with esbuild into apps/viewer/dist: index.html, main.js and tfjs's wasm binaries
// (the page's wasm backend loads them from its own folder). `nx run viewer:build`; `pvnas view` runs it too.
const fs = require('node:fs');
const path = require('node:path');

const HERE = __dirname;
const ROOT = path.resolve(HERE, '..', '..');
const VIEWER_DIST = path.join(HERE, 'dist');
const WASM_DIR = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');

async function buildViewer(outDir = VIEWER_DIST) {
  const esbuild = require('esbuild');
  fs.mkdirSync(outDir, { recursive: true });
  await esbuild.build({
    entryPoints: [path.join(HERE, 'src', 'main.ts')],
    outfile: path.join(outDir, 'main.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    sourcemap: false,
    tsconfig: path.join(ROOT, 'tsconfig.json'),
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
  fs.copyFileSync(path.join(HERE, 'index.html'), path.join(outDir, 'index.html'));
  for (const f of fs.readdirSync(WASM_DIR).filter((n) => n.endsWith('.wasm'))) fs.copyFileSync(path.join(WASM_DIR, f), path.join(outDir, f));
  return outDir;
}

module.exports = { buildViewer, VIEWER_DIST };

if (require.main === module) {
  buildViewer().then(
    (dir) => process.stdout.write(`${dir}\n`),
    (err) => {
      process.stderr.write(`viewer build: ${err.message}\n`);
      process.exit(1);
    },
  );
}
