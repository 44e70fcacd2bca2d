import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveStatic, serveStatic, type Mount } from './view';

/** A raw request: the path goes out exactly as written (no client-side normalisation of `..`). */
function get(port: number, rawPath: string, method = 'GET'): Promise<{ status: number; body: string; type?: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body, type: res.headers['content-type'] }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('pvnas view: the static server', () => {
  let tmp: string;
  let mounts: Mount[];
  let server: http.Server;
  let port: number;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pvnas-view-'));
    const page = path.join(tmp, 'page');
    const model = path.join(tmp, 'run', 'export');
    fs.mkdirSync(page, { recursive: true });
    fs.mkdirSync(model, { recursive: true });
    fs.writeFileSync(path.join(page, 'index.html'), '<!doctype html><title>viewer</title>');
    fs.writeFileSync(path.join(page, 'main.js'), 'export {};');
    fs.writeFileSync(path.join(model, 'model.json'), '{"format":"graph-model"}');
    fs.writeFileSync(path.join(tmp, 'run', 'run.json'), '{"secret":true}');
    fs.writeFileSync(path.join(tmp, 'secret.txt'), 'secret');
    fs.symlinkSync(path.join(tmp, 'secret.txt'), path.join(page, 'link.txt'));
    mounts = [
      { prefix: '/', dir: page },
      { prefix: '/model/', dir: model },
    ];
    server = await serveStatic(mounts, '127.0.0.1', 0, () => undefined);
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('serves the page and the model, with their types', async () => {
    expect(await get(port, '/')).toMatchObject({ status: 200, body: '<!doctype html><title>viewer</title>', type: 'text/html; charset=utf-8' });
    expect(await get(port, '/main.js?v=1')).toMatchObject({ status: 200, type: 'text/javascript; charset=utf-8' });
    expect(await get(port, '/model/model.json')).toMatchObject({ status: 200, body: '{"format":"graph-model"}', type: 'application/json' });
    expect(await get(port, '/model/missing.bin')).toMatchObject({ status: 404 });
  });

  it('refuses .., encoded dots and slashes, absolute forms and symlinks out of its folders', async () => {
    for (const p of [
      '/model/../run.json',
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/model/%2e%2e%2frun.json',
      '/model/..%2Frun.json',
      '//etc/passwd',
      '/model//etc/passwd',
      '/%2Fetc%2Fpasswd',
      '/model/.%2e/run.json',
      '/link.txt',
      '/..\\secret.txt',
    ]) {
      const r = await get(port, p);
      expect([p, r.status]).toEqual([p, 403]);
      expect(r.body).not.toMatch(/secret/);
    }
    expect((await get(port, '/%E0%A4%A')).status).toBe(400);
    expect((await get(port, 'http://127.0.0.1/etc/passwd')).status).toBe(403);
  });

  it('is read-only', async () => {
    for (const m of ['POST', 'PUT', 'DELETE']) expect((await get(port, '/', m)).status).toBe(405);
    expect((await get(port, '/', 'HEAD')).status).toBe(200);
  });

  it('resolves paths without a server too', () => {
    expect(resolveStatic('/model/model.json', mounts)).toEqual({ file: fs.realpathSync(path.join(tmp, 'run', 'export', 'model.json')) });
    expect(resolveStatic('/model/x/../../run.json', mounts)).toMatchObject({ status: 403 });
  });
});
