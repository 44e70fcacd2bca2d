import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseUcf101, ucf101ListName } from './ucf101';

describe('parseUcf101', () => {
  let dir: string;
  let splits: string;
  const root = '/data/UCF-101';
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvnas-ucf-'));
    splits = path.join(dir, 'ucfTrainTestlist');
    fs.mkdirSync(splits);
    // The official files use CRLF.
    write('classInd.txt', '1 ApplyEyeMakeup\r\n2 ApplyLipstick\r\n3 HandstandPushups\r\n');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function write(name: string, text: string): string {
    const f = path.join(splits, name);
    fs.writeFileSync(f, text);
    return f;
  }

  it('reads a train list: 1-based numbers to 0-based labels, ids from file names, bad lines reported', () => {
    const list = write(
      'trainlist02.txt',
      [
        'ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi 1',
        'HandstandPushups/v_HandStandPushups_g08_c01.avi 3',
        'ApplyLipstick/v_ApplyLipstick_g09_c01.avi 4',
        'ApplyLipstick/v_ApplyLipstick_g09_c02.avi 1',
        'ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi 1',
        'a b c',
        '',
      ].join('\r\n'),
    );
    const m = parseUcf101({ root, splitsDir: splits, split: 2, subset: 'train' });
    expect(m.classes).toEqual(['ApplyEyeMakeup', 'ApplyLipstick', 'HandstandPushups']);
    expect(m.records).toEqual([
      { id: 'v_ApplyEyeMakeup_g08_c01', path: '/data/UCF-101/ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi', label: 0, labelName: 'ApplyEyeMakeup' },
      { id: 'v_HandStandPushups_g08_c01', path: '/data/UCF-101/HandstandPushups/v_HandStandPushups_g08_c01.avi', label: 2, labelName: 'HandstandPushups' },
    ]);
    expect(m.issues).toEqual([
      { file: list, line: 3, reason: expect.stringContaining('"4" is not in 1..3') },
      { file: list, line: 4, reason: expect.stringContaining('disagrees with the folder "ApplyLipstick"') },
      { file: list, line: 5, reason: expect.stringContaining('duplicate id') },
      { file: list, line: 6, reason: expect.stringContaining('found 3 fields') },
    ]);
  });

  it('reads a test list: label from the folder through classInd; unknown folder reported', () => {
    const list = write(
      'testlist03.txt',
      'ApplyLipstick/v_ApplyLipstick_g01_c01.avi\nhandstandpushups/v_HandStandPushups_g01_c01.avi\nYoYo/v_YoYo_g01_c01.avi\n',
    );
    write('testlist01.txt', 'ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.avi\n');
    const m = parseUcf101({ root, splitsDir: splits, split: 3, subset: 'test' });
    expect(m.records.map((r) => [r.id, r.label])).toEqual([
      ['v_ApplyLipstick_g01_c01', 1],
      ['v_HandStandPushups_g01_c01', 2],
    ]);
    expect(m.issues).toEqual([{ file: list, line: 3, reason: expect.stringContaining('folder "YoYo" is not in classInd.txt') }]);
    expect(parseUcf101({ root, splitsDir: splits, split: 1, subset: 'test' }).records.map((r) => r.id)).toEqual(['v_ApplyEyeMakeup_g01_c01']);
  });

  it('names split files and refuses splits outside 1..3', () => {
    expect(ucf101ListName('train', 1)).toBe('trainlist01.txt');
    expect(ucf101ListName('test', 3)).toBe('testlist03.txt');
    expect(() => ucf101ListName('train', 4)).toThrow(expect.objectContaining({ kind: 'bad-config' }));
  });

  it('reports a bad classInd line and throws on a missing list file or a gap in class numbers', () => {
    const classInd = write('classInd.txt', '1 ApplyEyeMakeup\ngarbage line here\n2 ApplyLipstick\n');
    write('trainlist01.txt', 'ApplyLipstick/v_ApplyLipstick_g09_c01.avi 2\n');
    const m = parseUcf101({ root, splitsDir: splits, split: 1, subset: 'train' });
    expect(m.records.map((r) => r.label)).toEqual([1]);
    expect(m.issues).toEqual([{ file: classInd, line: 2, reason: expect.stringContaining('expected "<number> <ClassName>"') }]);
    const missing = path.join(splits, 'testlist01.txt');
    expect(() => parseUcf101({ root, splitsDir: splits, split: 1, subset: 'test' })).toThrow(expect.objectContaining({ kind: 'missing-file', item: missing }));
    write('classInd.txt', '1 A\n3 C\n');
    expect(() => parseUcf101({ root, splitsDir: splits, split: 1, subset: 'train' })).toThrow(/2 is missing/);
  });
});
