/**
 * The one entry point configs use: a manifest spec, `{format: 'kinetics' | 'list' | 'ssv2' | 'ucf101' |
 * 'folders', ...}`, checked with zod (unknown keys are refused, so a typo is named rather than ignored),
 * its paths resolved against `baseDir` (the config file's folder, or the working directory).
 *
 * Kinetics val and train share class indices when the val spec names the train CSV (`classesFromCsv`),
 * a class-names file (`classesFile`) or the list itself (`classes`); at most one of the three.
 */
import * as path from 'node:path';
import { z } from 'zod';
import { IngestError } from '../errors';
import { readClassNames } from './classes';
import { scanClassFolders } from './folders';
import { parseKineticsCsv } from './kinetics';
import { parseVideoList } from './list';
import { parseSsv2 } from './ssv2';
import type { Manifest } from './types';
import { parseUcf101 } from './ucf101';

const filePath = z.string().min(1);
const classList = z.array(z.string().min(1)).min(1);

const kineticsSpec = z.strictObject({
  format: z.literal('kinetics'),
  csv: filePath,
  root: filePath,
  classes: classList.optional(),
  classesFile: filePath.optional(),
  /** Another Kinetics CSV (the train one) whose sorted labels are the classes. */
  classesFromCsv: filePath.optional(),
  splitDir: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  checkFiles: z.boolean().optional(),
  extensions: z
    .array(z.string().regex(/^\.[^./\\]+$/, 'an extension like ".mp4"'))
    .min(1)
    .optional(),
});

const listSpec = z.strictObject({
  format: z.literal('list'),
  list: filePath,
  root: filePath,
  classes: classList.optional(),
  classesFile: filePath.optional(),
  checkFiles: z.boolean().optional(),
});

const ssv2Spec = z.strictObject({
  format: z.literal('ssv2'),
  labels: filePath,
  annotations: filePath,
  root: filePath,
  extension: z
    .string()
    .regex(/^\.?[^./\\]+$/, 'an extension like ".webm"')
    .optional(),
  checkFiles: z.boolean().optional(),
});

const ucf101Spec = z.strictObject({
  format: z.literal('ucf101'),
  root: filePath,
  splitsDir: filePath,
  split: z.number().int().min(1).max(3),
  subset: z.enum(['train', 'test']),
  checkFiles: z.boolean().optional(),
});

const foldersSpec = z.strictObject({
  format: z.literal('folders'),
  root: filePath,
  classes: classList.optional(),
  classesFile: filePath.optional(),
  extensions: z
    .array(z.string().regex(/^\.[^./\\]+$/, 'an extension like ".mp4"'))
    .min(1)
    .optional(),
});

export const manifestSpecSchema = z.discriminatedUnion('format', [kineticsSpec, listSpec, ssv2Spec, ucf101Spec, foldersSpec]);

export type ManifestSpec = z.infer<typeof manifestSpecSchema>;
export type ManifestFormat = ManifestSpec['format'];

/** Checks a spec; throws IngestError('bad-config') naming the bad key(s) and what is wrong. */
export function parseManifestSpec(spec: unknown, where = 'manifest spec'): ManifestSpec {
  const result = manifestSpecSchema.safeParse(spec);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const at = issue.path.length > 0 ? issue.path.join('.') : '';
      if (issue.code === 'unrecognized_keys') {
        return `${issue.keys.map((k) => (at ? `${at}.${k}` : k)).join(', ')}: unknown key${issue.keys.length > 1 ? 's' : ''}`;
      }
      return `${at || '(spec)'}: ${issue.message}`;
    });
    throw new IngestError('bad-config', where, problems.join('; '), 'formats: kinetics, list, ssv2, ucf101, folders');
  }
  const s = result.data;
  const given = ['classes', 'classesFile', 'classesFromCsv'].filter((k) => (s as Record<string, unknown>)[k] !== undefined);
  if (given.length > 1) throw new IngestError('bad-config', where, `${given.join(', ')}: give at most one of them`);
  return s;
}

/** The class list a parse of a Kinetics CSV gives (its sorted unique labels), for another split to share. */
function kineticsCsvClasses(csv: string): string[] {
  const { classes } = parseKineticsCsv({ csv, root: path.dirname(csv), checkFiles: false });
  if (classes.length === 0) throw new IngestError('bad-manifest-line', csv, 'Kinetics CSV has no labels, so it cannot give the classes');
  return classes;
}

/** Checks a spec, resolves its paths against `baseDir` and parses the manifest it names. */
export function loadManifest(spec: unknown, opts: { baseDir?: string } = {}): Manifest {
  const s = parseManifestSpec(spec);
  const base = opts.baseDir ?? process.cwd();
  const at = (p: string): string => path.resolve(base, p);
  const atOpt = (p: string | undefined): string | undefined => (p === undefined ? undefined : at(p));
  switch (s.format) {
    case 'kinetics': {
      const classes =
        s.classes ?? (s.classesFile ? readClassNames(at(s.classesFile)) : s.classesFromCsv ? kineticsCsvClasses(at(s.classesFromCsv)) : undefined);
      return parseKineticsCsv({ csv: at(s.csv), root: at(s.root), classes, splitDir: s.splitDir, checkFiles: s.checkFiles, extensions: s.extensions });
    }
    case 'list':
      return parseVideoList({ list: at(s.list), root: at(s.root), classes: s.classes, classesFile: atOpt(s.classesFile), checkFiles: s.checkFiles });
    case 'ssv2':
      return parseSsv2({ labels: at(s.labels), annotations: at(s.annotations), root: at(s.root), extension: s.extension, checkFiles: s.checkFiles });
    case 'ucf101':
      return parseUcf101({ root: at(s.root), splitsDir: at(s.splitsDir), split: s.split, subset: s.subset, checkFiles: s.checkFiles });
    case 'folders': {
      const classes = s.classes ?? (s.classesFile ? readClassNames(at(s.classesFile)) : undefined);
      return scanClassFolders({ root: at(s.root), classes, extensions: s.extensions });
    }
  }
}
