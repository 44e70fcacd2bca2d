/**
 * Kinetics (400/600/700) official CSVs: `label,youtube_id,time_start,time_end,split` (columns found by
 * header name, so the K700 `is_cc` column or another order is fine). Video files are named
 * `<youtube_id>_<start:06d>_<end:06d>.<ext>` and looked for, in this order, in
 *   root/<splitDir>/<label>/, root/<splitDir>/<label_with_underscores>/, root/<label>/,
 *   root/<label_with_underscores>/, root/<splitDir>/, root/
 * for each split directory (default from the split column: train → train; validate → val, validate;
 * test → test), and within a directory with the extensions in order (.mp4, .webm, .mkv, .avi).
 *
 * Classes are the sorted unique labels of the CSV unless `classes` is given: parse the train CSV first and
 * pass its `classes` to the val parse so both share indices.
 */
import * as path from 'node:path';
import { IngestError } from '../errors';
import { indexClasses, sortedUnique } from './classes';
import { parseCsv } from './csv';
import { dedupeRecords, sortIssues, type RecordCandidate } from './dedupe';
import { createDirLister, findVideo } from './find-video';
import { excerpt, readManifestText } from './text';
import type { Manifest, ManifestIssue } from './types';

export const KINETICS_EXTENSIONS: readonly string[] = ['.mp4', '.webm', '.mkv', '.avi'];

export interface KineticsOptions {
  /** The CSV file. */
  csv: string;
  /** Directory holding the videos (see the module comment for where inside it). */
  root: string;
  /** Class list to index labels by (e.g. the train manifest's `classes`); labels outside it become issues. */
  classes?: readonly string[];
  /** Split directories under `root` to look in, instead of the ones derived from the split column. */
  splitDir?: string | readonly string[];
  /** Look for each video file; a record whose file is not found becomes an issue. Default true. */
  checkFiles?: boolean;
  /** Extensions to try, in order. Default .mp4, .webm, .mkv, .avi. */
  extensions?: readonly string[];
}

/** `<youtube_id>_<start:06d>_<end:06d>`: the file stem and record id of a Kinetics clip. */
export function kineticsClipId(youtubeId: string, start: number, end: number): string {
  return `${youtubeId}_${String(start).padStart(6, '0')}_${String(end).padStart(6, '0')}`;
}

/** Split directories tried for a split-column value. */
export function kineticsSplitDirs(split: string): string[] {
  switch (split.trim().toLowerCase()) {
    case '':
      return [];
    case 'train':
      return ['train'];
    case 'validate':
    case 'val':
    case 'valid':
    case 'validation':
      return ['val', 'validate'];
    case 'test':
      return ['test'];
    default:
      return [split.trim()];
  }
}

/** Directories where the clip of `label` may be, in search order, without repeats. */
export function kineticsSearchDirs(root: string, label: string, splitDirs: readonly string[]): string[] {
  const labelDirs = [label, label.replace(/ /g, '_')];
  const dirs: string[] = [];
  for (const s of splitDirs) for (const l of labelDirs) dirs.push(path.join(root, s, l));
  for (const l of labelDirs) dirs.push(path.join(root, l));
  for (const s of splitDirs) dirs.push(path.join(root, s));
  dirs.push(root);
  return [...new Set(dirs.map((d) => path.resolve(d)))];
}

/** A non-negative whole number of seconds, as Kinetics writes them (`14` or `14.0`); undefined otherwise. */
function parseSeconds(text: string): number | undefined {
  const t = text.trim();
  if (!/^\d+(\.0*)?$/.test(t)) return undefined;
  const v = Number(t);
  return Number.isSafeInteger(v) ? v : undefined;
}

const REQUIRED = ['youtube_id', 'time_start', 'time_end'] as const;
const HEADER_HINT = 'expected a Kinetics CSV with header label,youtube_id,time_start,time_end,split';

export function parseKineticsCsv(opts: KineticsOptions): Manifest {
  const file = opts.csv;
  const checkFiles = opts.checkFiles ?? true;
  const extensions = opts.extensions ?? KINETICS_EXTENSIONS;
  const rows = parseCsv(readManifestText(file, 'Kinetics CSV'));
  const issues: ManifestIssue[] = [];

  const header = rows[0];
  if (!header) throw new IngestError('bad-manifest-line', file, 'Kinetics CSV is empty', HEADER_HINT);
  if (header.error) throw new IngestError('bad-manifest-line', `${file}:${header.line}`, `bad header: ${header.error}`, HEADER_HINT);
  const names = header.fields.map((f) => f.trim().toLowerCase());
  const col = (name: string): number => names.indexOf(name);
  for (const name of REQUIRED) {
    if (col(name) < 0) {
      throw new IngestError(
        'bad-manifest-line',
        `${file}:${header.line}`,
        `header has no "${name}" column (found: ${excerpt(header.fields.join(','), 80)})`,
        HEADER_HINT,
      );
    }
  }
  const iLabel = col('label');
  const iId = col('youtube_id');
  const iStart = col('time_start');
  const iEnd = col('time_end');
  const iSplit = col('split');
  const body = rows.slice(1);

  if (iLabel < 0) {
    issues.push({
      file,
      line: header.line,
      reason: `header has no "label" column (a test-split CSV?): its ${body.length} lines have no labels and give no records`,
    });
    return { classes: opts.classes ? [...opts.classes] : [], records: [], issues };
  }

  // Rows with the right shape; labels for the class list come from all of them.
  const shaped = body.filter((row) => {
    if (row.error) {
      issues.push({ file, line: row.line, reason: row.error });
      return false;
    }
    if (row.fields.length !== names.length) {
      issues.push({
        file,
        line: row.line,
        reason: `expected ${names.length} fields (${header.fields.join(',')}), found ${row.fields.length}`,
      });
      return false;
    }
    return true;
  });

  const classes = opts.classes ? [...opts.classes] : sortedUnique(shaped.map((r) => r.fields[iLabel]!.trim()).filter((l) => l !== ''));
  const classIndex = indexClasses(classes, opts.classes ? 'classes option' : file);
  const list = createDirLister();
  const fixedSplitDirs = opts.splitDir === undefined ? undefined : typeof opts.splitDir === 'string' ? [opts.splitDir] : [...opts.splitDir];
  const candidates: RecordCandidate[] = [];
  // Search directories depend only on (split, label): a few hundred distinct lists for 240k lines.
  const searchDirs = new Map<string, string[]>();

  for (const row of shaped) {
    const f = row.fields.map((x) => x.trim());
    const label = f[iLabel]!;
    const youtubeId = f[iId]!;
    const issue = (reason: string): void => {
      issues.push({ file, line: row.line, reason });
    };
    if (label === '') {
      issue('empty label (test-split lines have no labels; a record needs one)');
      continue;
    }
    if (youtubeId === '') {
      issue('empty youtube_id');
      continue;
    }
    const start = parseSeconds(f[iStart]!);
    const end = parseSeconds(f[iEnd]!);
    if (start === undefined) {
      issue(`bad time_start "${f[iStart]}" (expected whole seconds >= 0)`);
      continue;
    }
    if (end === undefined) {
      issue(`bad time_end "${f[iEnd]}" (expected whole seconds >= 0)`);
      continue;
    }
    if (end <= start) {
      issue(`time_end ${end} is not after time_start ${start}`);
      continue;
    }
    const labelIndex = classIndex.get(label);
    if (labelIndex === undefined) {
      issue(`unknown label "${label}" (not among the ${classes.length} classes given)`);
      continue;
    }
    const id = kineticsClipId(youtubeId, start, end);
    const split = iSplit >= 0 ? f[iSplit]! : '';
    const dirsKey = `${split}\u0000${label}`;
    let dirs = searchDirs.get(dirsKey);
    if (!dirs) {
      dirs = kineticsSearchDirs(opts.root, label, fixedSplitDirs ?? kineticsSplitDirs(split));
      searchDirs.set(dirsKey, dirs);
    }
    let videoPath: string | undefined;
    if (checkFiles) {
      videoPath = findVideo(list, dirs, id, extensions);
      if (videoPath === undefined) {
        issue(`video file not found: ${id}{${extensions.join(',')}} (looked in ${dirs.join(', ')})`);
        continue;
      }
    } else {
      videoPath = path.join(dirs[0]!, id + extensions[0]!);
    }
    candidates.push({ file, line: row.line, record: { id, path: videoPath, label: labelIndex, labelName: label } });
  }

  const deduped = dedupeRecords(candidates);
  return { classes, records: deduped.records, issues: sortIssues([...issues, ...deduped.issues]) };
}
