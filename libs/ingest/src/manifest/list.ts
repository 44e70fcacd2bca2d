/**
 * Plain video lists, one `path label` per line (the mmaction2 style): `path` relative to `root` (or
 * absolute), `label` either a 0-based class index or a class name. Blank lines and lines starting with `#`
 * are skipped. Fields are separated by a tab if the line has one, else by whitespace; the label is the
 * last field, so paths may contain spaces. With a class list, a label name may contain spaces too: the
 * longest trailing run of words that is a class name is the label.
 *
 * Classes: `classes` / `classesFile` when given (index = position). Without them: the sorted unique
 * names when lines use names, or `"0" .. "<max index>"` when lines use indices; a line with an index
 * among lines with names (or the reverse) is reported, as it cannot be placed without a class list.
 *
 * id = the path as written, with forward slashes and without its extension.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { indexClasses, readClassNames, sortedUnique } from './classes';
import { dedupeRecords, sortIssues, type RecordCandidate } from './dedupe';
import { readManifestText, splitLines } from './text';
import type { Manifest, ManifestIssue } from './types';

export interface VideoListOptions {
  /** The list file. */
  list: string;
  /** Directory the paths are relative to. */
  root: string;
  /** Class names, index = label. */
  classes?: readonly string[];
  /** A class-names file (one per line), used when `classes` is not given. */
  classesFile?: string;
  /** Report records whose video file does not exist instead of returning them. Default false. */
  checkFiles?: boolean;
}

interface Entry {
  line: number;
  path: string;
  label: string;
}

const INDEX = /^\d+$/;
/** Without a class list, indices from 0 up to this limit (exclusive) define the classes. */
const MAX_DERIVED_CLASSES = 100_000;

/** Splits a list line into path and label token(s); undefined when there is only one field. */
function splitLine(text: string, classIndex: ReadonlyMap<string, number> | undefined): { path: string; label: string } | undefined {
  const tab = text.lastIndexOf('\t');
  if (tab >= 0) {
    const p = text.slice(0, tab).trim();
    const label = text.slice(tab + 1).trim();
    return p && label ? { path: p, label } : undefined;
  }
  const words = text.split(/\s+/);
  if (words.length < 2) return undefined;
  if (classIndex) {
    // Longest trailing run of words that names a class.
    for (let k = 1; k < words.length; k++) {
      const name = words.slice(k).join(' ');
      if (classIndex.has(name)) return { path: words.slice(0, k).join(' '), label: name };
    }
  }
  return { path: words.slice(0, -1).join(' '), label: words[words.length - 1]! };
}

/** The record id of a list path: forward slashes, no extension. */
export function listPathId(p: string): string {
  const slashed = p.replace(/\\/g, '/');
  const ext = path.posix.extname(slashed);
  return ext ? slashed.slice(0, -ext.length) : slashed;
}

export function parseVideoList(opts: VideoListOptions): Manifest {
  const file = opts.list;
  const given = opts.classes ? [...opts.classes] : opts.classesFile ? readClassNames(opts.classesFile) : undefined;
  const givenIndex = given ? indexClasses(given, opts.classes ? 'classes option' : opts.classesFile) : undefined;
  const issues: ManifestIssue[] = [];
  const entries: Entry[] = [];

  splitLines(readManifestText(file, 'video list')).forEach((raw, i) => {
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) return;
    const parts = splitLine(text, givenIndex);
    if (!parts) {
      issues.push({ file, line: i + 1, reason: `expected "<path> <label>", found one field "${text}"` });
      return;
    }
    entries.push({ line: i + 1, ...parts });
  });

  let classes: string[];
  let classIndex: ReadonlyMap<string, number>;
  let mode: 'given' | 'names' | 'indices';
  if (given && givenIndex) {
    classes = given;
    classIndex = givenIndex;
    mode = 'given';
  } else if (entries.some((e) => !INDEX.test(e.label))) {
    classes = sortedUnique(entries.filter((e) => !INDEX.test(e.label)).map((e) => e.label));
    classIndex = indexClasses(classes, file);
    mode = 'names';
  } else {
    // Indices past the limit are typos, not classes: they are reported below as out of range.
    const max = entries.reduce((m, e) => (Number(e.label) < MAX_DERIVED_CLASSES ? Math.max(m, Number(e.label)) : m), -1);
    classes = Array.from({ length: max + 1 }, (_, k) => String(k));
    classIndex = new Map(classes.map((c, k) => [c, k]));
    mode = 'indices';
  }

  const candidates: RecordCandidate[] = [];
  for (const e of entries) {
    let label: number | undefined;
    if (INDEX.test(e.label) && mode !== 'names') {
      label = Number(e.label);
      if (!Number.isSafeInteger(label) || label >= classes.length) {
        issues.push({ file, line: e.line, reason: `label index ${e.label} is out of range (there are ${classes.length} classes, 0..${classes.length - 1})` });
        continue;
      }
    } else if (INDEX.test(e.label)) {
      issues.push({ file, line: e.line, reason: `label index ${e.label} among lines that use class names; pass a class list to use indices` });
      continue;
    } else {
      label = classIndex.get(e.label);
      if (label === undefined) {
        issues.push({ file, line: e.line, reason: `unknown label "${e.label}" (not among the ${classes.length} classes given)` });
        continue;
      }
    }
    const videoPath = path.resolve(opts.root, e.path);
    if (opts.checkFiles && !fs.existsSync(videoPath)) {
      issues.push({ file, line: e.line, reason: `video file not found: ${videoPath}` });
      continue;
    }
    candidates.push({ file, line: e.line, record: { id: listPathId(e.path), path: videoPath, label, labelName: classes[label]! } });
  }

  const deduped = dedupeRecords(candidates);
  return { classes, records: deduped.records, issues: sortIssues([...issues, ...deduped.issues]) };
}
