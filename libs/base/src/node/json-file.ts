/**
 * JSON files checked by a zod schema on the way in; files written atomically on the way out (a reader sees
 * the old file or the new one, never a part). Errors name the file, what it is, and the first problems
 * with their key paths.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { z } from 'zod';

/** `key.path: message; ...` of the first `max` issues. */
export function explainIssues(error: z.ZodError, max = 5): string {
  return error.issues
    .slice(0, max)
    .map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`)
    .join('; ');
}

/** Parses `value` with `schema` or throws `<what> <file> is not valid: ...`. */
export function parseOrExplain<T>(schema: z.ZodType<T>, value: unknown, file: string, what: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new Error(`${what} ${file} is not valid: ${explainIssues(r.error)}`);
}

export function readJson(file: string, what: string): unknown {
  if (!fs.existsSync(file)) throw new Error(`${what} ${file} does not exist`);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${what} ${file} is not JSON: ${(e as Error).message}`, { cause: e });
  }
}

export function readJsonFile<T>(file: string, schema: z.ZodType<T>, what: string): T {
  return parseOrExplain(schema, readJson(file, what), file, what);
}

/** Writes beside the file, then renames over it; creates the folder. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}`);
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

export function writeJsonFile(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}
