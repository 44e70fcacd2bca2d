import type { Manifest } from './types';

/**
 * Joins manifests of one dataset (e.g. train and validation) into one: classes from the first (the others
 * must have been parsed against the same classes), records in order, a repeated id kept once and reported.
 */
export function mergeManifests(manifests: readonly Manifest[]): Manifest {
  if (manifests.length === 0) return { classes: [], records: [], issues: [] };
  const seen = new Set<string>();
  const out: Manifest = { classes: manifests[0].classes, records: [], issues: [] };
  for (const m of manifests) {
    out.issues.push(...m.issues);
    for (const r of m.records) {
      if (seen.has(r.id)) {
        out.issues.push({ file: r.path, line: 0, reason: `video id ${r.id} appears in more than one manifest; kept the first` });
        continue;
      }
      seen.add(r.id);
      out.records.push(r);
    }
  }
  return out;
}
