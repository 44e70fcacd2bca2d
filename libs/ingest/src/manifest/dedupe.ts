/**
 * Record ids must be unique within a manifest (they are the cache keys). Parsers collect candidates with
 * their source line; the first occurrence of an id wins, later ones become issues.
 */
import type { ManifestIssue, VideoRecord } from './types';

export interface RecordCandidate {
  record: VideoRecord;
  file: string;
  line: number;
}

/** Keeps the first record of each id, in input order; reports the others with both lines. */
export function dedupeRecords(candidates: readonly RecordCandidate[]): { records: VideoRecord[]; issues: ManifestIssue[] } {
  const firstLine = new Map<string, RecordCandidate>();
  const records: VideoRecord[] = [];
  const issues: ManifestIssue[] = [];
  for (const c of candidates) {
    const first = firstLine.get(c.record.id);
    if (first) {
      const where = first.file === c.file ? `line ${first.line}` : first.line > 0 ? `${first.file}:${first.line}` : first.file;
      issues.push({ file: c.file, line: c.line, reason: `duplicate id "${c.record.id}" (first seen at ${where}); this line is skipped` });
      continue;
    }
    firstLine.set(c.record.id, c);
    records.push(c.record);
  }
  return { records, issues };
}

/** Sorts issues by file, then line, so reports read top to bottom. */
export function sortIssues(issues: ManifestIssue[]): ManifestIssue[] {
  return issues.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
}
