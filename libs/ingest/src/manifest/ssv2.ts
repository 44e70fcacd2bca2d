/**
 * Something-Something-V2: `something-something-v2-labels.json` maps a class template to its index (as a
 * string: `{"Approaching something with your camera": "0", ...}`), and the train / validation JSON
 * arrays hold `{id, label, template, placeholders}` entries. An entry's class is its `template` with the
 * square brackets stripped (`"Moving [something] from left to right"` → `"Moving something from left to
 * right"`), matched against the labels keys, also stripped. Videos are `<root>/<id>.webm`.
 *
 * JSON has no useful line numbers (the official files are one line each), so an issue about an entry
 * gives `line` = the entry's array index + 1. The test JSON has no templates: its entries are reported,
 * one issue each, and give no records.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { IngestError } from '../errors';
import { dedupeRecords, sortIssues, type RecordCandidate } from './dedupe';
import { readManifestJson } from './text';
import type { Manifest, ManifestIssue } from './types';

export interface Ssv2Options {
  /** The labels JSON (template → class index). */
  labels: string;
  /** The entries JSON (train, validation or test). */
  annotations: string;
  /** Directory holding the videos. */
  root: string;
  /** Video file extension, with or without the dot. Default `.webm`. */
  extension?: string;
  /** Report entries whose video file does not exist instead of returning them. Default false. */
  checkFiles?: boolean;
}

/** Removes the square brackets of placeholder slots and tidies spaces. */
export function stripTemplateBrackets(template: string): string {
  return template
    .replace(/\[([^\]]*)\]/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Reads the labels JSON into a class list (index = label; names bracket-stripped). Throws IngestError
 * naming the file when it is not an object of template → integer, or when the indices are not 0..N-1.
 */
export function readSsv2Labels(file: string): string[] {
  const json = readManifestJson(file, 'SSv2 labels file');
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new IngestError('bad-manifest-line', file, 'SSv2 labels file must be a JSON object of "template": "index"');
  }
  const classes: string[] = [];
  const names = new Map<string, string>();
  for (const [template, value] of Object.entries(json as Record<string, unknown>)) {
    const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
    if (!/^\d+$/.test(text)) {
      throw new IngestError('bad-manifest-line', file, `class "${template}" has index ${JSON.stringify(value)}, expected a whole number`);
    }
    const index = Number(text);
    const name = stripTemplateBrackets(template);
    if (classes[index] !== undefined) {
      throw new IngestError('bad-manifest-line', file, `index ${index} is given to both "${classes[index]}" and "${name}"`);
    }
    const other = names.get(name);
    if (other !== undefined) {
      throw new IngestError('bad-manifest-line', file, `classes "${other}" and "${template}" are the same once brackets are stripped`);
    }
    names.set(name, template);
    classes[index] = name;
  }
  for (let i = 0; i < classes.length; i++) {
    if (classes[i] === undefined) throw new IngestError('bad-manifest-line', file, `class indices are not 0..${classes.length - 1}: ${i} is missing`);
  }
  if (classes.length === 0) throw new IngestError('bad-manifest-line', file, 'SSv2 labels file lists no classes');
  return classes;
}

export function parseSsv2(opts: Ssv2Options): Manifest {
  const classes = readSsv2Labels(opts.labels);
  const classIndex = new Map(classes.map((name, i) => [name, i]));
  const file = opts.annotations;
  const json = readManifestJson(file, 'SSv2 annotations file');
  if (!Array.isArray(json)) {
    throw new IngestError('bad-manifest-line', file, 'SSv2 annotations file must be a JSON array of {id, template, ...} entries');
  }
  const ext = opts.extension === undefined ? '.webm' : opts.extension.startsWith('.') || opts.extension === '' ? opts.extension : `.${opts.extension}`;
  const issues: ManifestIssue[] = [];
  const candidates: RecordCandidate[] = [];

  json.forEach((entry: unknown, i) => {
    const line = i + 1;
    const issue = (reason: string): void => {
      issues.push({ file, line, reason: `entry ${i}: ${reason}` });
    };
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      issue('not an object');
      return;
    }
    const e = entry as Record<string, unknown>;
    const id = typeof e.id === 'number' && Number.isSafeInteger(e.id) ? String(e.id) : typeof e.id === 'string' ? e.id.trim() : '';
    if (id === '' || /[\\/]/.test(id) || id === '.' || id === '..') {
      issue(e.id === undefined ? 'no id' : `bad id ${JSON.stringify(e.id)}`);
      return;
    }
    if (e.template === undefined) {
      issue(`video ${id} has no template (the SSv2 test set has no labels)`);
      return;
    }
    if (typeof e.template !== 'string') {
      issue(`video ${id}: template is not a string`);
      return;
    }
    const name = stripTemplateBrackets(e.template);
    const label = classIndex.get(name);
    if (label === undefined) {
      issue(`video ${id}: template "${e.template}" is not in ${opts.labels}`);
      return;
    }
    const videoPath = path.resolve(opts.root, id + ext);
    if (opts.checkFiles && !fs.existsSync(videoPath)) {
      issue(`video file not found: ${videoPath}`);
      return;
    }
    candidates.push({ file, line, record: { id, path: videoPath, label, labelName: name } });
  });

  const deduped = dedupeRecords(candidates);
  return { classes, records: deduped.records, issues: sortIssues([...issues, ...deduped.issues]) };
}
