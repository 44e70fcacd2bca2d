import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadManifest, parseManifestSpec } from './spec';

describe('loadManifest', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvnas-spec-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function write(rel: string, text: string): string {
    const f = path.join(dir, rel);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, text);
    return f;
  }

  it('loads each format with paths relative to baseDir', () => {
    write('k/train.csv', 'label,youtube_id,time_start,time_end,split\nzumba,z,0,10,train\nabseiling,a,0,10,train\n');
    write('k/val.csv', 'label,youtube_id,time_start,time_end,split\nzumba,v,0,10,validate\n');
    const kin = loadManifest({ format: 'kinetics', csv: 'k/val.csv', root: 'k/videos', classesFromCsv: 'k/train.csv', checkFiles: false }, { baseDir: dir });
    expect(kin.classes).toEqual(['abseiling', 'zumba']);
    expect(kin.records).toEqual([{ id: 'v_000000_000010', path: path.join(dir, 'k/videos/val/zumba/v_000000_000010.mp4'), label: 1, labelName: 'zumba' }]);

    write('l/list.txt', 'a.mp4 1\n');
    expect(loadManifest({ format: 'list', list: 'l/list.txt', root: 'l', classes: ['x', 'y'] }, { baseDir: dir }).records).toEqual([
      { id: 'a', path: path.join(dir, 'l/a.mp4'), label: 1, labelName: 'y' },
    ]);

    write('s/labels.json', JSON.stringify({ 'Pushing something': '0' }));
    write('s/train.json', JSON.stringify([{ id: '3', template: 'Pushing [something]' }]));
    expect(loadManifest({ format: 'ssv2', labels: 's/labels.json', annotations: 's/train.json', root: 's/v' }, { baseDir: dir }).records).toEqual([
      { id: '3', path: path.join(dir, 's/v/3.webm'), label: 0, labelName: 'Pushing something' },
    ]);

    write('u/splits/classInd.txt', '1 Archery\n');
    write('u/splits/testlist02.txt', 'Archery/v_Archery_g01_c01.avi\n');
    expect(loadManifest({ format: 'ucf101', root: 'u/UCF-101', splitsDir: 'u/splits', split: 2, subset: 'test' }, { baseDir: dir }).records).toEqual([
      { id: 'v_Archery_g01_c01', path: path.join(dir, 'u/UCF-101/Archery/v_Archery_g01_c01.avi'), label: 0, labelName: 'Archery' },
    ]);

    write('f/b/1.mp4', '');
    write('classes.txt', 'a\nb\n');
    const folders = loadManifest({ format: 'folders', root: 'f', classesFile: 'classes.txt' }, { baseDir: dir });
    expect(folders.records).toEqual([{ id: 'b/1', path: path.join(dir, 'f/b/1.mp4'), label: 1, labelName: 'b' }]);
  });

  it('names the bad key of a bad spec', () => {
    expect(() => parseManifestSpec({ format: 'kinetics' })).toThrow(expect.objectContaining({ kind: 'bad-config', item: 'manifest spec' }));
    expect(() => parseManifestSpec({ format: 'parquet' })).toThrow(/format: Invalid discriminator value/);
    expect(() => parseManifestSpec({ format: 'kinetics', root: 'r' })).toThrow(/csv: /);
    expect(() => parseManifestSpec({ format: 'kinetics', csv: 'c', root: 'r', chekFiles: false })).toThrow(/chekFiles: unknown key/);
    expect(() => parseManifestSpec({ format: 'ucf101', root: 'r', splitsDir: 's', split: 4, subset: 'train' })).toThrow(/split: /);
    expect(() => parseManifestSpec({ format: 'ucf101', root: 'r', splitsDir: 's', split: 1, subset: 'val' })).toThrow(/subset: /);
    expect(() => parseManifestSpec({ format: 'list', list: 'l', root: 'r', classes: ['a'], classesFile: 'c' })).toThrow(
      /classes, classesFile: give at most one/,
    );
    expect(() => parseManifestSpec('kinetics')).toThrow(/expected object/);
  });
});
