/**
 * The searched model in a browser, for real: a network retrained briefly on the sample set (SSv2 layout, VP9
 * webm), `pvnas evaluate` of its single views, `pvnas view` serving the page and the exported model, and
 * headless Chromium (Debian's `chromium`, driven by playwright-core) classifying every validation video on
 * tfjs's wasm backend. The page must give `pvnas evaluate`'s single-view top-1 class for every video; the
 * largest probability difference (browser decoding and colour conversion against ffmpeg's and the JPEG
 * frame cache) is printed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { loadManifest, probeVideo, sampleTestIndices } from '@pvnas/ingest';
import { PVNAS_BIN, runCli, startCli, waitFor, WORKSPACE, killTree, type RunningCli } from './support/cli';
import { makeTempDir } from './support/datasets';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((f) => fs.existsSync(f));
const json = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

interface BrowserResult {
  name: string;
  top?: Array<{ index: number; name: string; p: number }>;
  probabilities?: number[];
  frames?: number[];
  ms?: number;
  error?: string;
}

describe('pvnas view in headless Chromium', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let server: RunningCli | undefined;
  let browser: Browser | undefined;

  beforeAll(() => {
    if (!CHROMIUM) throw new Error('no Chromium at /usr/bin/chromium: install it with ./system-deps.sh (Debian package chromium)');
    tmp = makeTempDir('e2e-viewer');
  });
  afterAll(async () => {
    await browser?.close();
    if (server) killTree(server.child, 'SIGTERM');
    await server?.done.catch(() => undefined);
    tmp?.remove();
  });

  it("gives pvnas evaluate's single-view top-1 for every sample validation video", async () => {
    const run = (args: string[]) => runCli(PVNAS_BIN, args, { cwd: tmp.dir, timeoutMs: 400_000 });
    const retrain = await run([
      'retrain',
      '--dataset',
      'ssv2',
      '--name',
      'model',
      '--epochs',
      '6',
      '--set',
      'validateEvery=0',
      '--set',
      'optim.lr.warmupEpochs=1',
    ]);
    expect(retrain.stderr).not.toMatch(/pvnas: /);
    expect(retrain.code).toBe(0);
    const ev = await run(['evaluate', '--dataset', 'ssv2', '--model', 'model', '--name', 'ev']);
    expect(ev.code).toBe(0);
    const scores: Array<{ id: string; label: number; probabilities: number[] }> = json(
      path.join(tmp.dir, 'runs', 'ev', 'evaluation-ordered.json'),
    ).singleViewScores;
    expect(scores).toHaveLength(128);

    server = startCli(PVNAS_BIN, ['view', 'model', '--port', '0'], { cwd: tmp.dir, timeoutMs: 900_000 });
    const url = await waitFor('the viewer URL', () => /view: open (\S+)/.exec(server!.stderrSoFar())?.[1], 120_000, 50);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${url}?backend=wasm`);
    const ready = await page.evaluate('window.pvnasReady');
    expect(ready).toEqual({ backend: 'wasm', classes: 8 });

    // the validation videos, as files a user would choose
    const root = path.join(WORKSPACE, 'data', 'sample', 'ssv2');
    const val = loadManifest({
      format: 'ssv2',
      labels: path.join(root, 'labels', 'something-something-v2-labels.json'),
      annotations: path.join(root, 'labels', 'something-something-v2-validation.json'),
      root: path.join(root, '20bn-something-something-v2'),
    });
    const files = val.records.map((r) => r.path);
    await page.setInputFiles('#videos', files);
    await page.waitForSelector(`#status[data-done="${files.length}"]`, { timeout: 600_000 });
    const results = (await page.evaluate('window.pvnasResults')) as BrowserResult[];
    expect(results.filter((r) => r.error)).toEqual([]);

    const byFile = new Map(results.map((r) => [r.name, r]));
    let maxDiff = 0;
    const diffs: number[] = [];
    const mismatches: string[] = [];
    const otherFrames: string[] = [];
    for (const s of scores) {
      const rec = val.records.find((r) => r.id === s.id)!;
      const b = byFile.get(path.basename(rec.path))!;
      // the same frames as the loader's single view (the middle of its 10 test clips)
      const info = await probeVideo(rec.path, { minFrames: 1 });
      const expected = sampleTestIndices(info.frames, info.fps, 10)[5]!;
      if (JSON.stringify(b.frames) !== JSON.stringify(expected))
        otherFrames.push(`${s.id}: browser ${b.frames!.join(',')}, loader ${expected.join(',')} (${info.frames} frames at ${info.fps} fps)`);
      diffs.push(Math.max(...s.probabilities.map((q, c) => Math.abs(b.probabilities![c]! - q))));
      const nodeTop = s.probabilities.indexOf(Math.max(...s.probabilities));
      if (b.top![0]!.index !== nodeTop)
        mismatches.push(`${s.id}: browser ${b.top![0]!.name} ${b.top![0]!.p.toFixed(3)}, evaluate class ${nodeTop} ${s.probabilities[nodeTop]!.toFixed(3)}`);
      for (let c = 0; c < s.probabilities.length; c++) maxDiff = Math.max(maxDiff, Math.abs(b.probabilities![c]! - s.probabilities[c]!));
    }
    const ms = results.map((r) => r.ms!).sort((a, b) => a - b);
    diffs.sort((x, y) => x - y);
    process.stdout.write(
      `viewer: ${results.length} videos; probability difference to pvnas evaluate's single view: largest ${maxDiff.toFixed(4)}, median ${diffs[Math.floor(diffs.length / 2)]!.toFixed(4)}; median ${ms[Math.floor(ms.length / 2)]!.toFixed(0)} ms a video (wasm)\n`,
    );
    expect(otherFrames).toEqual([]);
    expect(mismatches).toEqual([]);
    expect(maxDiff).toBeLessThan(0.2);
    // the page shows it too
    expect(await page.locator('#results tr').count()).toBe(files.length);
    expect(await page.locator('#results tr').first().innerText()).toMatch(/%/);
    expect(pageErrors).toEqual([]);
  }, 900_000);
});
