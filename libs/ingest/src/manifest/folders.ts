/**
 * Folder-per-class datasets: `root/<class>/<video>`. Classes are the sorted names of the folders directly
 * under `root` (hidden ones left out), or `classes` when given (so train and val folders share indices;
 * a folder outside that list is reported). Only direct children of a class folder are read (no recursion);
 * files whose extension is not a video one are skipped silently; a class folder with no video is reported.
 * id = `<class>/<file name without extension>`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { IngestError } from '../errors';
import { indexClasses, sortedUnique } from './classes';
import { dedupeRecords, type RecordCandidate } from './dedupe';
import type { Manifest, ManifestIssue } from './types';

export const VIDEO_EXTENSIONS: readonly string[] = ['.mp4', '.webm', '.mkv', '.avi', '.mov', '.m4v'];

export interface FolderOptions {
  root: string;
  /** Class list to index folders by; folders outside it are reported. */
  classes?: readonly string[];
  /** Video extensions (lower case, with the dot). Default .mp4 .webm .mkv .avi .mov .m4v. */
  extensions?: readonly string[];
}

function readDir(dir: string, what: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? `${what} not found` : code === 'ENOTDIR' ? `${what} is not a directory` : `${what} cannot be read: ${(err as Error).message}`;
    throw new IngestError('missing-file', dir, reason);
  }
}

/** A directory entry that is (or links to) a directory. */
function isDir(parent: string, d: fs.Dirent): boolean {
  if (d.isDirectory()) return true;
  if (!d.isSymbolicLink()) return false;
  try {
    return fs.statSync(path.join(parent, d.name)).isDirectory();
  } catch {
    return false;
  }
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function scanClassFolders(opts: FolderOptions): Manifest {
  const root = path.resolve(opts.root);
  const extensions = new Set((opts.extensions ?? VIDEO_EXTENSIONS).map((e) => e.toLowerCase()));
  const folders = sortedUnique(
    readDir(root, 'dataset folder')
      .filter((d) => !d.name.startsWith('.') && isDir(root, d))
      .map((d) => d.name),
  );
  const classes = opts.classes ? [...opts.classes] : folders;
  const classIndex = indexClasses(classes, opts.classes ? 'classes option' : root);
  const issues: ManifestIssue[] = [];
  const candidates: RecordCandidate[] = [];

  for (const folder of folders) {
    const dir = path.join(root, folder);
    const label = classIndex.get(folder);
    if (label === undefined) {
      issues.push({ file: dir, line: 0, reason: `unknown label: folder "${folder}" is not among the ${classes.length} classes given` });
      continue;
    }
    const videos = readDir(dir, 'class folder')
      .filter((d) => !d.name.startsWith('.') && !isDir(dir, d) && extensions.has(path.extname(d.name).toLowerCase()))
      .map((d) => d.name)
      .sort(byName);
    if (videos.length === 0) {
      issues.push({ file: dir, line: 0, reason: `class folder "${folder}" holds no video files (${[...extensions].join(' ')})` });
      continue;
    }
    for (const name of videos) {
      const stem = name.slice(0, name.length - path.extname(name).length);
      candidates.push({ file: path.join(dir, name), line: 0, record: { id: `${folder}/${stem}`, path: path.join(dir, name), label, labelName: folder } });
    }
  }
  if (opts.classes) {
    for (const c of classes) {
      if (!folders.includes(c)) issues.push({ file: path.join(root, c), line: 0, reason: `class "${c}" has no folder` });
    }
  }

  // `a.mp4` and `a.webm` in one folder share an id.
  const deduped = dedupeRecords(candidates);
  return { classes, records: deduped.records, issues: [...issues, ...deduped.issues] };
}
