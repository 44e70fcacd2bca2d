/**
 * Class lists: reading a class-names file, deriving a sorted list from labels, and looking names up.
 * Sorting is by UTF-16 code units (not locale), so the same labels give the same indices on every machine.
 */
import { IngestError } from '../errors';
import { readManifestText, splitLines } from './text';

/** Sorted unique names (code-unit order). */
export function sortedUnique(names: Iterable<string>): string[] {
  return [...new Set(names)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Reads a class-names file: one name per line, index = order in the file (0-based). Blank lines and lines
 * starting with `#` are skipped; names are trimmed. Throws IngestError naming the file and line when a
 * name repeats (indices would be ambiguous) or when the file holds no names.
 */
export function readClassNames(file: string): string[] {
  const lines = splitLines(readManifestText(file, 'class-names file'));
  const names: string[] = [];
  const seen = new Map<string, number>();
  lines.forEach((raw, i) => {
    const name = raw.trim();
    if (name === '' || name.startsWith('#')) return;
    const first = seen.get(name);
    if (first !== undefined) {
      throw new IngestError('bad-manifest-line', `${file}:${i + 1}`, `class "${name}" is listed twice (first on line ${first})`);
    }
    seen.set(name, i + 1);
    names.push(name);
  });
  if (names.length === 0) throw new IngestError('bad-manifest-line', file, 'class-names file lists no classes');
  return names;
}

/** Name → index map of a class list; throws IngestError('bad-config') when a name repeats. */
export function indexClasses(classes: readonly string[], source = 'classes'): Map<string, number> {
  const index = new Map<string, number>();
  classes.forEach((name, i) => {
    if (index.has(name)) {
      throw new IngestError('bad-config', source, `class "${name}" appears twice (indices ${index.get(name)} and ${i})`);
    }
    index.set(name, i);
  });
  return index;
}
