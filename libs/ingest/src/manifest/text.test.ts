import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { IngestError } from '../errors';
import { readManifestJson, readManifestText, splitLines } from './text';

describe('manifest text', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvnas-text-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('strips a BOM and splits LF, CRLF and CR lines', () => {
    const f = path.join(dir, 'a.txt');
    fs.writeFileSync(f, '\uFEFFone\r\ntwo\nthree\rfour\n');
    expect(splitLines(readManifestText(f))).toEqual(['one', 'two', 'three', 'four']);
  });

  it('throws missing-file naming the path', () => {
    const f = path.join(dir, 'nope.csv');
    expect(() => readManifestText(f)).toThrow(IngestError);
    expect(() => readManifestText(f)).toThrow(expect.objectContaining({ kind: 'missing-file', item: f }));
  });

  it('throws bad-manifest-line for invalid JSON', () => {
    const f = path.join(dir, 'a.json');
    fs.writeFileSync(f, '[{"id": 1,}');
    expect(() => readManifestJson(f)).toThrow(expect.objectContaining({ kind: 'bad-manifest-line', item: f }));
  });
});
