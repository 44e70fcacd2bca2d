/**
 * UCF-101 official splits (the `ucfTrainTestlist` folder):
 *   classInd.txt       `1 ApplyEyeMakeup` per line, 1-based (label = number - 1)
 *   trainlist0N.txt    `ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi 1`
 *   testlist0N.txt     `ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.avi` (label from the folder via classInd)
 * for split N in 1..3. Paths are relative to `root` (the `UCF-101` video folder). id = file name without
 * extension. A train line whose number and folder name disagree is reported. Folder names are matched to
 * classInd exactly, else case-insensitively when that is unambiguous.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { IngestError } from '../errors';
import { dedupeRecords, sortIssues, type RecordCandidate } from './dedupe';
import { readManifestText, splitLines } from './text';
import type { Manifest, ManifestIssue } from './types';

export interface Ucf101Options {
  /** The video folder (`UCF-101`, holding one folder per class). */
  root: string;
  /** The folder holding classInd.txt, trainlist0N.txt and testlist0N.txt. */
  splitsDir: string;
  /** Official split, 1..3. */
  split: number;
  subset: 'train' | 'test';
  /** Report lines whose video file does not exist instead of returning them. Default false. */
  checkFiles?: boolean;
}

/** The list file of a split: `trainlist01.txt`, `testlist03.txt`, ... Throws IngestError('bad-config') for N outside 1..3. */
export function ucf101ListName(subset: 'train' | 'test', split: number): string {
  if (!Number.isInteger(split) || split < 1 || split > 3) {
    throw new IngestError('bad-config', 'split', `UCF-101 split must be 1, 2 or 3, got ${split}`);
  }
  return `${subset}list0${split}.txt`;
}

/**
 * Reads classInd.txt. Malformed lines are issues; throws IngestError naming the file when the numbers
 * that remain are not 1..N (labels would shift) or when none remain.
 */
export function readUcf101ClassInd(file: string): { classes: string[]; issues: ManifestIssue[] } {
  const issues: ManifestIssue[] = [];
  const byIndex: string[] = [];
  splitLines(readManifestText(file, 'UCF-101 classInd file')).forEach((raw, i) => {
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) return;
    const m = /^(\d+)\s+(\S+)$/.exec(text);
    if (!m) {
      issues.push({ file, line: i + 1, reason: `expected "<number> <ClassName>", found "${text}"` });
      return;
    }
    const n = Number(m[1]);
    if (n < 1) {
      issues.push({ file, line: i + 1, reason: `class numbers start at 1, found ${n}` });
      return;
    }
    if (byIndex[n - 1] !== undefined) {
      issues.push({ file, line: i + 1, reason: `class number ${n} repeats (already "${byIndex[n - 1]}")` });
      return;
    }
    byIndex[n - 1] = m[2]!;
  });
  if (byIndex.length === 0) throw new IngestError('bad-manifest-line', file, 'classInd file lists no classes');
  for (let k = 0; k < byIndex.length; k++) {
    if (byIndex[k] === undefined) throw new IngestError('bad-manifest-line', file, `class numbers are not 1..${byIndex.length}: ${k + 1} is missing`);
  }
  return { classes: byIndex, issues };
}

function folderLookup(classes: readonly string[]): (folder: string) => number | undefined {
  const exact = new Map(classes.map((c, i) => [c, i]));
  const lower = new Map<string, number | null>();
  classes.forEach((c, i) => lower.set(c.toLowerCase(), lower.has(c.toLowerCase()) ? null : i));
  return (folder) => exact.get(folder) ?? lower.get(folder.toLowerCase()) ?? undefined;
}

export function parseUcf101(opts: Ucf101Options): Manifest {
  const listName = ucf101ListName(opts.subset, opts.split);
  const classInd = readUcf101ClassInd(path.join(opts.splitsDir, 'classInd.txt'));
  const classes = classInd.classes;
  const byFolder = folderLookup(classes);
  const file = path.join(opts.splitsDir, listName);
  const issues: ManifestIssue[] = [...classInd.issues];
  const candidates: RecordCandidate[] = [];

  splitLines(readManifestText(file, `UCF-101 ${opts.subset} list`)).forEach((raw, i) => {
    const line = i + 1;
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) return;
    const issue = (reason: string): void => {
      issues.push({ file, line, reason });
    };
    const fields = text.split(/\s+/);
    if (fields.length > 2) {
      issue(`expected "<Class/video.avi> [number]", found ${fields.length} fields`);
      return;
    }
    const rel = fields[0]!.replace(/\\/g, '/');
    const folder = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')).split('/').pop()! : '';
    const folderLabel = folder ? byFolder(folder) : undefined;
    let label: number;
    if (fields.length === 2) {
      if (!/^\d+$/.test(fields[1]!) || Number(fields[1]) < 1 || Number(fields[1]) > classes.length) {
        issue(`class number "${fields[1]}" is not in 1..${classes.length}`);
        return;
      }
      label = Number(fields[1]) - 1;
      if (folder && folderLabel !== label) {
        issue(`class number ${label + 1} (${classes[label]}) disagrees with the folder "${folder}"`);
        return;
      }
    } else {
      if (!folder) {
        issue(`"${rel}" has no class folder and no class number`);
        return;
      }
      if (folderLabel === undefined) {
        issue(`unknown label: folder "${folder}" is not in classInd.txt`);
        return;
      }
      label = folderLabel;
    }
    const videoPath = path.resolve(opts.root, rel);
    if (opts.checkFiles && !fs.existsSync(videoPath)) {
      issue(`video file not found: ${videoPath}`);
      return;
    }
    const base = path.posix.basename(rel);
    const id = base.slice(0, base.length - path.posix.extname(base).length);
    candidates.push({ file, line, record: { id, path: videoPath, label, labelName: classes[label]! } });
  });

  const deduped = dedupeRecords(candidates);
  return { classes: [...classes], records: deduped.records, issues: sortIssues([...issues, ...deduped.issues]) };
}
