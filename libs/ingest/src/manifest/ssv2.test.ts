import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseSsv2, readSsv2Labels, stripTemplateBrackets } from './ssv2';

describe('SSv2 manifests', () => {
  let dir: string;
  let labels: string;
  const root = '/data/ssv2/videos';
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvnas-ssv2-'));
    labels = write('labels.json', {
      'Moving something from left to right': '1',
      'Putting [something], [something] and [something] on the table': '2',
      'Approaching something with your camera': '0',
    });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function write(name: string, value: unknown): string {
    const f = path.join(dir, name);
    fs.writeFileSync(f, typeof value === 'string' ? value : JSON.stringify(value));
    return f;
  }

  it('strips template brackets', () => {
    expect(stripTemplateBrackets('Moving [something] from left to right')).toBe('Moving something from left to right');
    expect(stripTemplateBrackets('Putting [something], [something] and [something] on the table')).toBe(
      'Putting something, something and something on the table',
    );
  });

  it('reads the labels file into classes by index', () => {
    expect(readSsv2Labels(labels)).toEqual([
      'Approaching something with your camera',
      'Moving something from left to right',
      'Putting something, something and something on the table',
    ]);
  });

  it('matches bracketed templates to labels and reports bad entries at index + 1', () => {
    const annotations = write('train.json', [
      { id: '78687', label: 'moving pen from left to right', template: 'Moving [something] from left to right', placeholders: ['pen'] },
      {
        id: 42,
        label: 'putting a, b and c on the table',
        template: 'Putting [something], [something] and [something] on the table',
        placeholders: ['a', 'b', 'c'],
      },
      { label: 'no id', template: 'Moving [something] from left to right' },
      { id: '7', label: 'x' },
      { id: '8', template: 'Spinning [something] that quickly stops spinning' },
      { id: '78687', template: 'Approaching [something] with your camera' },
      'not an object',
      { id: '9', template: 'Approaching [something] with your camera' },
    ]);
    const m = parseSsv2({ labels, annotations, root });
    expect(m.classes).toHaveLength(3);
    expect(m.records).toEqual([
      { id: '78687', path: '/data/ssv2/videos/78687.webm', label: 1, labelName: 'Moving something from left to right' },
      { id: '42', path: '/data/ssv2/videos/42.webm', label: 2, labelName: 'Putting something, something and something on the table' },
      { id: '9', path: '/data/ssv2/videos/9.webm', label: 0, labelName: 'Approaching something with your camera' },
    ]);
    expect(m.issues).toEqual([
      { file: annotations, line: 3, reason: 'entry 2: no id' },
      { file: annotations, line: 4, reason: expect.stringContaining('video 7 has no template') },
      { file: annotations, line: 5, reason: expect.stringContaining('template "Spinning [something] that quickly stops spinning" is not in') },
      { file: annotations, line: 6, reason: expect.stringContaining('duplicate id "78687" (first seen at line 1)') },
      { file: annotations, line: 7, reason: 'entry 6: not an object' },
    ]);
  });

  it('reports every entry of the test set (no templates) without failing', () => {
    const annotations = write('test.json', [{ id: '1' }, { id: '2' }]);
    const m = parseSsv2({ labels, annotations, root, extension: 'mp4' });
    expect(m.records).toEqual([]);
    expect(m.issues.map((i) => i.line)).toEqual([1, 2]);
  });

  it('uses the configured extension', () => {
    const annotations = write('v.json', [{ id: '5', template: 'Approaching [something] with your camera' }]);
    expect(parseSsv2({ labels, annotations, root, extension: 'mp4' }).records[0]!.path).toBe('/data/ssv2/videos/5.mp4');
  });

  it('throws IngestError naming a missing file, non-JSON, a non-array, or labels with a gap', () => {
    const missing = path.join(dir, 'nope.json');
    expect(() => parseSsv2({ labels: missing, annotations: missing, root })).toThrow(expect.objectContaining({ kind: 'missing-file', item: missing }));
    const garbage = write('g.json', '{"a": ');
    expect(() => parseSsv2({ labels, annotations: garbage, root })).toThrow(expect.objectContaining({ kind: 'bad-manifest-line', item: garbage }));
    const obj = write('o.json', { id: 1 });
    expect(() => parseSsv2({ labels, annotations: obj, root })).toThrow(expect.objectContaining({ kind: 'bad-manifest-line', item: obj }));
    const gap = write('gap.json', { a: '0', b: '2' });
    expect(() => readSsv2Labels(gap)).toThrow(/1 is missing/);
  });
});
