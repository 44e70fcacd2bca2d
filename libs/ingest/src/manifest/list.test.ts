import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseVideoList } from './list';

describe('parseVideoList', () => {
  let dir: string;
  let root: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvnas-list-'));
    root = path.join(dir, 'videos');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string): string => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };

  it('reads index labels against a class-names file (BOM, CRLF, comments), reporting bad lines by file:line', () => {
    const classesFile = write('classes.txt', '\uFEFF# names\r\ncat\r\ndog\r\n\r\nemu\r\n');
    const list = write(
      'train.txt',
      ['# video label', 'a/x1.mp4 0', '', 'b/sub/x2.avi 2', 'b/sub/x2.avi 2', 'only_one_field', 'c/x3.mp4 9', 'dir with space/x4.mp4 1', '/abs/x5.webm 1'].join(
        '\r\n',
      ),
    );
    const m = parseVideoList({ list, root, classesFile });
    expect(m.classes).toEqual(['cat', 'dog', 'emu']);
    expect(m.records).toEqual([
      { id: 'a/x1', path: path.join(root, 'a/x1.mp4'), label: 0, labelName: 'cat' },
      { id: 'b/sub/x2', path: path.join(root, 'b/sub/x2.avi'), label: 2, labelName: 'emu' },
      { id: 'dir with space/x4', path: path.join(root, 'dir with space/x4.mp4'), label: 1, labelName: 'dog' },
      { id: '/abs/x5', path: '/abs/x5.webm', label: 1, labelName: 'dog' },
    ]);
    expect(m.issues).toEqual([
      { file: list, line: 5, reason: expect.stringContaining('duplicate id "b/sub/x2" (first seen at line 4)') },
      { file: list, line: 6, reason: expect.stringContaining('one field') },
      { file: list, line: 7, reason: expect.stringContaining('label index 9 is out of range') },
    ]);
  });

  it('looks label names up in a class list, names with spaces included; tab separates when present', () => {
    const classes = ['playing guitar', 'guitar', 'dog'];
    const list = write('val.txt', 'v/a.mp4 playing guitar\nv/b.mp4 guitar\nv/c d.mp4\tdog\nv/e.mp4 cat\n');
    const m = parseVideoList({ list, root, classes });
    expect(m.records).toEqual([
      { id: 'v/a', path: path.join(root, 'v/a.mp4'), label: 0, labelName: 'playing guitar' },
      { id: 'v/b', path: path.join(root, 'v/b.mp4'), label: 1, labelName: 'guitar' },
      { id: 'v/c d', path: path.join(root, 'v/c d.mp4'), label: 2, labelName: 'dog' },
    ]);
    expect(m.issues).toEqual([{ file: list, line: 4, reason: expect.stringContaining('unknown label "cat"') }]);
  });

  it('without a class list derives sorted names, and reports an index among names', () => {
    const list = write('l.txt', 'x/1.mp4 zebra\nx/2.mp4 ant\nx/3.mp4 4\n');
    const m = parseVideoList({ list, root });
    expect(m.classes).toEqual(['ant', 'zebra']);
    expect(m.records.map((r) => [r.id, r.label, r.labelName])).toEqual([
      ['x/1', 1, 'zebra'],
      ['x/2', 0, 'ant'],
    ]);
    expect(m.issues).toEqual([{ file: list, line: 3, reason: expect.stringContaining('label index 4 among lines that use class names') }]);
  });

  it('without a class list names index classes "0".."max"', () => {
    const list = write('l.txt', 'x/1.mp4 2\nx/2.mp4 0\n');
    const m = parseVideoList({ list, root });
    expect(m.classes).toEqual(['0', '1', '2']);
    expect(m.records.map((r) => [r.id, r.label, r.labelName])).toEqual([
      ['x/1', 2, '2'],
      ['x/2', 0, '0'],
    ]);
  });

  it('with checkFiles reports missing videos', () => {
    fs.mkdirSync(path.join(root, 'x'), { recursive: true });
    fs.writeFileSync(path.join(root, 'x/1.mp4'), '');
    const list = write('l.txt', 'x/1.mp4 0\nx/2.mp4 0\n');
    const m = parseVideoList({ list, root, checkFiles: true });
    expect(m.records.map((r) => r.id)).toEqual(['x/1']);
    expect(m.issues).toEqual([{ file: list, line: 2, reason: `video file not found: ${path.join(root, 'x/2.mp4')}` }]);
  });

  it('throws missing-file for a missing list or class-names file', () => {
    const list = write('l.txt', 'x/1.mp4 0\n');
    const nope = path.join(dir, 'nope.txt');
    expect(() => parseVideoList({ list: nope, root })).toThrow(expect.objectContaining({ kind: 'missing-file', item: nope }));
    expect(() => parseVideoList({ list, root, classesFile: nope })).toThrow(expect.objectContaining({ kind: 'missing-file', item: nope }));
  });
});
