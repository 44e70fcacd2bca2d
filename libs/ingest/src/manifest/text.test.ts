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

  it('refuses binary data (a video given as a manifest) quoting at most 16 escaped bytes, not a kilobyte of them', () => {
    const f = path.join(dir, 'train.csv');
    const bytes = Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from('ftypisom'), Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 37) & 255))]);
    fs.writeFileSync(f, bytes);
    let message = '';
    try {
      readManifestText(f, 'Kinetics CSV');
    } catch (e) {
      expect(e).toMatchObject({ kind: 'bad-manifest-line', item: f });
      message = (e as Error).message;
    }
    expect(message).toMatch(/Kinetics CSV is binary data, not text \(it starts with "\\u0000\\u0000\\u0000 ftypisom.*"\)/);
    expect(message.length).toBeLessThan(f.length + 250);
    expect([...message].filter((c) => c.charCodeAt(0) < 9 || (c.charCodeAt(0) > 13 && c.charCodeAt(0) < 32))).toEqual([]);
  });

  it('reads UTF-8 text with a few odd characters as text', () => {
    const f = path.join(dir, 'classes.txt');
    fs.writeFileSync(f, 'café\nnaïve\n日本\n');
    expect(splitLines(readManifestText(f))).toEqual(['café', 'naïve', '日本']);
  });
});
