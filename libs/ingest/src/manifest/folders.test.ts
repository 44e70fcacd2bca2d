import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { scanClassFolders } from './folders';

describe('scanClassFolders', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'pvnas-folders-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  function touch(rel: string): string {
    const f = path.join(root, rel);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, '');
    return f;
  }

  it('makes sorted classes of folders, records of video files, skips other files, reports empty folders', () => {
    const b1 = touch('bowling/b1.MP4');
    const b0 = touch('bowling/b0.webm');
    touch('bowling/notes.txt');
    touch('bowling/deeper/x.mp4'); // not recursive
    const a = touch('archery/clip one.mkv');
    touch('empty class/readme.md');
    touch('top-level.mp4');
    touch('.hidden/x.mp4');
    const m = scanClassFolders({ root });
    expect(m.classes).toEqual(['archery', 'bowling', 'empty class']);
    expect(m.records).toEqual([
      { id: 'archery/clip one', path: a, label: 0, labelName: 'archery' },
      { id: 'bowling/b0', path: b0, label: 1, labelName: 'bowling' },
      { id: 'bowling/b1', path: b1, label: 1, labelName: 'bowling' },
    ]);
    expect(m.issues).toEqual([{ file: path.join(root, 'empty class'), line: 0, reason: expect.stringContaining('holds no video files') }]);
  });

  it('reports two files sharing an id, and folders outside a given class list', () => {
    touch('a/x.mp4');
    touch('a/x.avi');
    touch('z/y.mp4');
    const m = scanClassFolders({ root, classes: ['b', 'a'] });
    expect(m.classes).toEqual(['b', 'a']);
    expect(m.records).toEqual([{ id: 'a/x', path: path.join(root, 'a/x.avi'), label: 1, labelName: 'a' }]);
    expect(m.issues).toEqual([
      { file: path.join(root, 'z'), line: 0, reason: expect.stringContaining('unknown label: folder "z"') },
      { file: path.join(root, 'b'), line: 0, reason: 'class "b" has no folder' },
      { file: path.join(root, 'a/x.mp4'), line: 0, reason: expect.stringContaining(`duplicate id "a/x" (first seen at ${path.join(root, 'a/x.avi')})`) },
    ]);
  });

  it('throws missing-file naming a missing root', () => {
    const nope = path.join(root, 'nope');
    expect(() => scanClassFolders({ root: nope })).toThrow(expect.objectContaining({ kind: 'missing-file', item: nope }));
  });
});
