/**
 * `pvnas view RUN`: the viewer page (apps/viewer) for a retrained model, served read-only over http on
 * 127.0.0.1 (`--host` to choose). It serves the page's own files and the run's exported graph model under
 * `/model/`, nothing else: a path with `..`, an encoded slash or an absolute form is refused (403), and a
 * file must lie inside its folder after symlinks are resolved. GET and HEAD only.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { exportGraphModel, loadDerived, selectBackend } from '@pvnas/nas';
import { retrainConfigSchema } from '../config/schema';
import { loadSplit, WORKSPACE } from '../data/datasets';
import { RunFolder } from '../run/run-folder';
import { runDirOf } from './session';

export interface Mount {
  /** URL prefix ending in '/'. */
  prefix: string;
  dir: string;
}

export type Resolved = { file: string } | { status: 400 | 403 | 404; reason: string };

/** The file an URL path names under `mounts` (longest prefix first), or why it is refused. Pure but for the file checks. */
export function resolveStatic(rawUrl: string, mounts: readonly Mount[]): Resolved {
  const pathPart = rawUrl.split(/[?#]/, 1)[0]!;
  if (!pathPart.startsWith('/') || pathPart.startsWith('//')) return { status: 403, reason: 'not a path under this server' };
  if (pathPart.includes('\\') || pathPart.includes('\0')) return { status: 403, reason: 'backslash or NUL in the path' };
  let segments: string[];
  try {
    segments = pathPart
      .slice(1)
      .split('/')
      .map((s) => decodeURIComponent(s));
  } catch {
    return { status: 400, reason: 'bad percent-encoding' };
  }
  const last = segments.length - 1;
  if (
    segments.some(
      (s, k) => s === '..' || s === '.' || (s === '' && k !== last) || s.includes('/') || s.includes('\\') || s.includes('\0') || path.isAbsolute(s),
    )
  )
    return { status: 403, reason: 'path segments may not be empty, ., .., or hold a slash' };
  const url = `/${segments.join('/')}`;
  const mount = [...mounts].sort((a, b) => b.prefix.length - a.prefix.length).find((m) => url.startsWith(m.prefix));
  if (!mount) return { status: 404, reason: 'no such file' };
  const rel = url.slice(mount.prefix.length) || 'index.html';
  const root = fs.realpathSync(mount.dir);
  const file = path.join(root, rel);
  let real: string;
  try {
    real = fs.realpathSync(file);
  } catch {
    return { status: 404, reason: 'no such file' };
  }
  const inside = path.relative(root, real);
  if (inside.startsWith('..') || path.isAbsolute(inside)) return { status: 403, reason: 'outside the served folder' };
  if (!fs.statSync(real).isFile()) return { status: 404, reason: 'not a file' };
  return { file: real };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
};

/** A read-only static server of `mounts`; resolves once listening. */
export function serveStatic(mounts: readonly Mount[], host: string, port: number, log: (line: string) => void): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const head = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...head, Allow: 'GET, HEAD' }).end();
      return;
    }
    const r = resolveStatic(req.url ?? '/', mounts);
    if ('status' in r) {
      log(`view: ${r.status} ${req.url}: ${r.reason}`);
      res.writeHead(r.status, { ...head, 'Content-Type': 'text/plain' }).end(`${r.status} ${r.reason}\n`);
      return;
    }
    const body = fs.readFileSync(r.file);
    res.writeHead(200, { ...head, 'Content-Type': TYPES[path.extname(r.file)] ?? 'application/octet-stream', 'Content-Length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

/** The run's graph model in `<run>/export/` with the metadata the page needs, (re)written when older than the model. */
export async function exportForViewer(runDir: string, log: (line: string) => void): Promise<string> {
  const modelDir = path.join(runDir, 'model');
  if (!fs.existsSync(path.join(modelDir, 'model.json')))
    throw new Error(`${runDir} has no model/model.json: view a finished retrain run (npx pvnas retrain ... then npx pvnas view RUN)`);
  const out = path.join(runDir, 'export');
  const mtime = (f: string) => (fs.existsSync(f) ? fs.statSync(f).mtimeMs : 0);
  if (mtime(path.join(out, 'model.json')) > Math.max(...fs.readdirSync(modelDir).map((f) => mtime(path.join(modelDir, f))))) return out;
  const r = retrainConfigSchema.safeParse(RunFolder.open(runDir).config());
  if (!r.success) throw new Error(`${runDir}/config.json is not a retrain config: view a retrain run`);
  const c = r.data;
  const classes = (await loadSplit(c.data, 'train', { workers: 1, log, baseDir: RunFolder.open(runDir).meta.baseDir })).classes;
  await selectBackend({ log: null });
  const net = loadDerived(modelDir);
  try {
    await exportGraphModel(net, { frames: c.clips.frames, size: c.clips.crop, window: c.clips.window, classes }, out);
  } finally {
    net.dispose();
  }
  log(`view: exported the model to ${out}`);
  return out;
}

export interface ViewFlags {
  run: string;
  runsDir: string;
  host: string;
  port: number;
  log: (line: string) => void;
}

export async function runView(f: ViewFlags): Promise<{ server: http.Server; url: string }> {
  const runDir = runDirOf(f.run, f.runsDir);
  if (!fs.existsSync(path.join(runDir, 'run.json'))) throw new Error(`${runDir} is not a run folder: give a retrain run's name (under ${f.runsDir}) or folder`);
  const modelDir = await exportForViewer(runDir, f.log);
  // the page's bundle, rebuilt every time (esbuild: about a second)
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the viewer's build script is plain JS, loaded only when a page is served
  const { buildViewer } = require(path.join(WORKSPACE, 'apps', 'viewer', 'build.js')) as { buildViewer: () => Promise<string> };
  const page = await buildViewer();
  if (!['127.0.0.1', 'localhost', '::1'].includes(f.host)) f.log(`view: WARNING: serving on ${f.host}, reachable from other machines`);
  const server = await serveStatic(
    [
      { prefix: '/', dir: page },
      { prefix: '/model/', dir: modelDir },
    ],
    f.host,
    f.port,
    f.log,
  );
  const a = server.address();
  const port = typeof a === 'object' && a ? a.port : f.port;
  return { server, url: `http://${f.host.includes(':') ? `[${f.host}]` : f.host}:${port}/` };
}
