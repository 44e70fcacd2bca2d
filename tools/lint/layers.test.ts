/**
 * The layer rules of eslint.config.mjs catch what they are for: the real ESLint, in its own process (its flat
 * config is an ES module), lints made-up files placed in each project, and we check which imports it refuses.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

/** `[file, code]` -> the messages of the rule `no-restricted-imports` for each. */
function restricted(cases: Array<[string, string]>): string[][] {
  const script = `
    const { ESLint } = require('eslint');
    (async () => {
      const eslint = new ESLint({ cwd: ${JSON.stringify(ROOT)} });
      const out = [];
      for (const [filePath, code] of ${JSON.stringify(cases)}) {
        const [r] = await eslint.lintText(code, { filePath });
        out.push(r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message));
      }
      process.stdout.write(JSON.stringify(out));
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const r = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`eslint failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as string[][];
}

const use = (spec: string, name: string): string => `import { ${name} } from '${spec}';\nexport const used = ${name};\n`;

describe('layer rules (eslint.config.mjs)', () => {
  it('refuse imports against the layers and deep relative imports, and allow the public entry points', () => {
    const [nasIngest, ingestNas, baseNas, sampleNas, deepTool, deepTest, viewerNode, baseSelf, appAll, viewerBrowser, toolAlias] = restricted([
      ['libs/nas/src/x.ts', use('@pvnas/ingest', 'loadManifest')],
      ['libs/ingest/src/x.ts', use('@pvnas/nas', 'Sgd')],
      ['libs/base/src/x.ts', use('@pvnas/nas', 'Sgd')],
      ['libs/sample/src/x.ts', use('@pvnas/nas', 'Sgd')],
      ['tools/bench/src/x.ts', use('../../../libs/ingest/src/cache/frame-cache', 'FrameCache')],
      ['test/x.test.ts', use('../apps/trainer/src/cli/main', 'program')],
      ['apps/viewer/src/x.ts', use('@pvnas/base/node', 'writeJsonFile')],
      ['libs/base/src/node/x.ts', use('../softmax', 'softmax')],
      [
        'apps/trainer/src/x.ts',
        use('@pvnas/ingest', 'ClipLoader') +
          use('@pvnas/nas', 'Sgd').replace('used', 'used2') +
          use('@pvnas/sample', 'ensureSampleDataset').replace('used', 'used3'),
      ],
      ['apps/viewer/src/x.ts', use('@pvnas/ingest/browser', 'testTransforms')],
      ['tools/bench/src/x.ts', use('@pvnas/ingest', 'FrameCache')],
    ]);
    for (const refused of [nasIngest, ingestNas, baseNas, sampleNas, deepTool, deepTest, viewerNode]) expect(refused).toHaveLength(1);
    expect(nasIngest[0]).toMatch(/@pvnas\/nas depends on @pvnas\/base only/);
    expect(deepTool[0]).toMatch(/through its public entry point/);
    expect(viewerNode[0]).toMatch(/runs in a browser/);
    for (const allowed of [baseSelf, appAll, viewerBrowser, toolAlias]) expect(allowed).toEqual([]);
  });
});
