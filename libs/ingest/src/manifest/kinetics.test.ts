import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { IngestError } from '../errors';
import { kineticsClipId, parseKineticsCsv } from './kinetics';

function touch(file: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '');
  return file;
}

describe('parseKineticsCsv', () => {
  let dir: string;
  let root: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvnas-kinetics-'));
    root = path.join(dir, 'videos');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string): string => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };

  const TRAIN = [
    'label,youtube_id,time_start,time_end,split',
    'abseiling,aaa,10,20,train', // 2: root/train/abseiling/*.mp4
    '"passing American football (in game)",bbb,0,10,train', // 3: underscored folder, .webm
    '"tying bow tie, fancy",ccc,5,15,train', // 4: quoted comma, root/<label>/*.mkv
    'abseiling,ddd,1.0,11,train', // 5: root/train/*.avi, time written 1.0
    'abseiling,eee,x,20,train', // 6: bad time_start
    'abseiling,fff,30,20,train', // 7: end before start
    'abseiling,ggg,10,train', // 8: wrong column count
    ',hhh,0,10,train', // 9: empty label
    'abseiling,aaa,10,20,train', // 10: duplicate id
    'abseiling,iii,0,10,train', // 11: file missing
    'abseiling,,0,10,train', // 12: empty youtube_id
    'abseiling,jjj,0,abc,train', // 13: bad time_end
  ];

  function layTrainFiles(): Record<string, string> {
    return {
      aaa: touch(path.join(root, 'train', 'abseiling', 'aaa_000010_000020.mp4')),
      bbb: touch(path.join(root, 'train', 'passing_American_football_(in_game)', 'bbb_000000_000010.webm')),
      ccc: touch(path.join(root, 'tying bow tie, fancy', 'ccc_000005_000015.mkv')),
      ddd: touch(path.join(root, 'train', 'ddd_000001_000011.avi')),
    };
  }

  it('builds records with ids, resolved paths and sorted-label classes, and reports each bad line', () => {
    const files = layTrainFiles();
    const csv = write('train.csv', TRAIN.join('\n') + '\n');
    const m = parseKineticsCsv({ csv, root });
    expect(m.classes).toEqual(['abseiling', 'passing American football (in game)', 'tying bow tie, fancy']);
    expect(m.records).toEqual([
      { id: 'aaa_000010_000020', path: files.aaa, label: 0, labelName: 'abseiling' },
      { id: 'bbb_000000_000010', path: files.bbb, label: 1, labelName: 'passing American football (in game)' },
      { id: 'ccc_000005_000015', path: files.ccc, label: 2, labelName: 'tying bow tie, fancy' },
      { id: 'ddd_000001_000011', path: files.ddd, label: 0, labelName: 'abseiling' },
    ]);
    expect(m.issues.map((i) => [i.file, i.line])).toEqual([6, 7, 8, 9, 10, 11, 12, 13].map((l) => [csv, l]));
    const reason = (line: number): string => m.issues.find((i) => i.line === line)!.reason;
    expect(reason(6)).toMatch(/bad time_start "x"/);
    expect(reason(7)).toMatch(/time_end 20 is not after time_start 30/);
    expect(reason(8)).toMatch(/expected 5 fields .* found 4/);
    expect(reason(9)).toMatch(/empty label/);
    expect(reason(10)).toMatch(/duplicate id "aaa_000010_000020" \(first seen at line 2\)/);
    expect(reason(11)).toContain('video file not found: iii_000000_000010');
    expect(reason(11)).toContain(path.join(root, 'train', 'abseiling'));
    expect(reason(12)).toMatch(/empty youtube_id/);
    expect(reason(13)).toMatch(/bad time_end "abc"/);
  });

  it('reads CRLF line endings and a BOM the same as LF', () => {
    layTrainFiles();
    const lf = parseKineticsCsv({ csv: write('lf.csv', TRAIN.join('\n')), root });
    const crlf = parseKineticsCsv({ csv: write('crlf.csv', '\uFEFF' + TRAIN.join('\r\n') + '\r\n'), root });
    expect(crlf.records).toEqual(lf.records);
    expect(crlf.classes).toEqual(lf.classes);
    expect(crlf.issues.map((i) => [i.line, i.reason])).toEqual(lf.issues.map((i) => [i.line, i.reason]));
    expect(crlf.records).toHaveLength(4);
  });

  it('indexes a val CSV by the train classes, finds val/ and validate/ folders, reports unknown labels', () => {
    const v1 = touch(path.join(root, 'val', 'tying bow tie, fancy', 'v1_000000_000010.mp4'));
    const v2 = touch(path.join(root, 'validate', 'abseiling', 'v2_000003_000013.mp4'));
    const csv = write(
      'validate.csv',
      [
        'label,youtube_id,time_start,time_end,split',
        '"tying bow tie, fancy",v1,0,10,validate',
        'abseiling,v2,3,13,validate',
        'juggling fire,v3,0,10,validate',
      ].join('\n'),
    );
    const classes = ['abseiling', 'passing American football (in game)', 'tying bow tie, fancy'];
    const m = parseKineticsCsv({ csv, root, classes });
    expect(m.classes).toEqual(classes);
    expect(m.records).toEqual([
      { id: 'v1_000000_000010', path: v1, label: 2, labelName: 'tying bow tie, fancy' },
      { id: 'v2_000003_000013', path: v2, label: 0, labelName: 'abseiling' },
    ]);
    expect(m.issues).toEqual([{ file: csv, line: 4, reason: expect.stringContaining('unknown label "juggling fire"') }]);
  });

  it('finds columns by name (K700 is_cc column, other order) and honours splitDir', () => {
    const f = touch(path.join(root, 'mysplit', 'abseiling', 'k_000000_000010.mp4'));
    const csv = write('k700.csv', 'youtube_id,label,time_start,time_end,split,is_cc\nk,abseiling,0,10,train,0\n');
    expect(parseKineticsCsv({ csv, root }).records).toEqual([]);
    expect(parseKineticsCsv({ csv, root, splitDir: 'mysplit' }).records).toEqual([{ id: 'k_000000_000010', path: f, label: 0, labelName: 'abseiling' }]);
  });

  it('with checkFiles false, returns records at the first candidate path without looking', () => {
    const csv = write('train.csv', 'label,youtube_id,time_start,time_end,split\nbelly dancing,zz,7,17,train\n');
    expect(parseKineticsCsv({ csv, root, checkFiles: false }).records).toEqual([
      { id: 'zz_000007_000017', path: path.join(root, 'train', 'belly dancing', 'zz_000007_000017.mp4'), label: 0, labelName: 'belly dancing' },
    ]);
  });

  it('reports a test-split CSV (no label column) once and gives no records', () => {
    const csv = write('test.csv', 'youtube_id,time_start,time_end,split\nq,0,10,test\nr,0,10,test\n');
    const m = parseKineticsCsv({ csv, root });
    expect(m.records).toEqual([]);
    expect(m.issues).toEqual([{ file: csv, line: 1, reason: expect.stringContaining('no "label" column') }]);
  });

  it('reports a line with an unclosed quote', () => {
    const csv = write('q.csv', 'label,youtube_id,time_start,time_end,split\n"ab"x,q,0,10,train\n');
    expect(parseKineticsCsv({ csv, root, checkFiles: false }).issues).toEqual([{ file: csv, line: 2, reason: expect.stringContaining('closing quote') }]);
  });

  it('throws IngestError naming a missing CSV or a header without youtube_id', () => {
    const missing = path.join(dir, 'nope.csv');
    expect(() => parseKineticsCsv({ csv: missing, root })).toThrow(expect.objectContaining({ kind: 'missing-file', item: missing }));
    const bad = write('bad.csv', 'label,id,start,end\nx,y,0,1\n');
    expect(() => parseKineticsCsv({ csv: bad, root })).toThrow(IngestError);
    expect(() => parseKineticsCsv({ csv: bad, root })).toThrow(expect.objectContaining({ kind: 'bad-manifest-line', item: `${bad}:1` }));
  });

  it('pads times to six digits in ids', () => {
    expect(kineticsClipId('abc-_9', 5, 1234567)).toBe('abc-_9_000005_1234567');
  });
});
