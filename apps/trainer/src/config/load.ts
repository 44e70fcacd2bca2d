/**
 * Resolving a config: the command's preset, then a config file (JSON or YAML), then CLI flags, merged key
 * by key and validated by the schema. Errors name the key, what is wrong and where the value came from.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { preset, type Command } from './presets';
import { evaluateConfigSchema, retrainConfigSchema, searchConfigSchema, type Dataset } from './schema';

export class ConfigError extends Error {}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * b over a, recursively for objects; arrays are replaced whole, and so is `data` (one choice of source)
 * unless `wholeData` is false (flags of one command line: `--manifest` with `--set data.cache=...`).
 */
export function mergeConfig(a: Json, b: Json, wholeData = true): Json {
  const out: Json = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (v === undefined) continue; // an unset value never overrides
    out[k] = isObject(v) && isObject(out[k]) && (k !== 'data' || !wholeData) ? mergeConfig(out[k] as Json, v, wholeData) : v;
  }
  return out;
}

/** `a.b.c`, value -> `{ a: { b: { c: value } } }`. */
export function nestKey(dotted: string, value: unknown): Json {
  return dotted.split('.').reduceRight<unknown>((v, k) => ({ [k]: v }), value) as Json;
}

/**
 * The overrides of one command line: `--set key=value` pairs, then the named flags (dotted key -> value;
 * undefined = not given), merged key by key, so a flag never drops a `--set` of a sibling key (`--crop 32`
 * keeps `--set clips.flipP=0`). A named flag wins over a `--set` of the very same key.
 */
export function commandLineOverrides(sets: readonly string[], flags: Record<string, unknown>): Json {
  let out = parseSets(sets);
  for (const [key, v] of Object.entries(flags)) if (v !== undefined) out = mergeConfig(out, nestKey(key, v), false);
  return out;
}

export function readConfigFile(file: string): Json {
  if (!fs.existsSync(file)) throw new ConfigError(`config file ${file} does not exist`);
  const text = fs.readFileSync(file, 'utf8');
  let value: unknown;
  try {
    value = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    const where = e instanceof YAMLParseError && e.linePos ? `:${e.linePos[0].line}` : '';
    throw new ConfigError(`config file ${file}${where} is not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!isObject(value)) throw new ConfigError(`config file ${file} must hold an object of settings`);
  return value;
}

/** `a.b.c=value` pairs (values parsed as JSON when they parse, else kept as strings) to a nested object. */
export function parseSets(sets: readonly string[]): Json {
  let out: Json = {};
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new ConfigError(`--set ${s}: expected key=value, e.g. --set optim.gradClip=5`);
    let value: unknown = s.slice(eq + 1);
    try {
      value = JSON.parse(value as string);
    } catch {
      // a plain string
    }
    out = mergeConfig(out, nestKey(s.slice(0, eq), value), false);
  }
  return out;
}

const SCHEMAS = { search: searchConfigSchema, retrain: retrainConfigSchema, evaluate: evaluateConfigSchema } as const;
export type ConfigOf<C extends Command> = z.infer<(typeof SCHEMAS)[C]>;

function describe(issue: z.core.$ZodIssue): string {
  const at = issue.path.join('.');
  if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => `${at ? `${at}.` : ''}${k}: unknown key`).join('; ');
  return `${at || '(config)'}: ${issue.message}`;
}

/**
 * The config of `command` for `dataset`: preset <- file <- flags. `sources` says where user values came
 * from, for the error message.
 */
export function resolveConfig<C extends Command>(command: C, dataset: Dataset, layers: { file?: string; flags?: Json }): ConfigOf<C> {
  const fromFile = layers.file ? readConfigFile(path.resolve(layers.file)) : {};
  const user = mergeConfig(fromFile, layers.flags ?? {});
  const data = user.data;
  const sample = data === undefined || (isObject(data) && data.source === 'sample');
  const batch = typeof user.batchSize === 'number' ? user.batchSize : undefined;
  const merged = mergeConfig(preset(command, dataset, sample, batch), user);
  const r = SCHEMAS[command].safeParse(merged);
  if (!r.success) {
    const from = [layers.file && `file ${layers.file}`, layers.flags && Object.keys(layers.flags).length > 0 && 'command-line flags']
      .filter(Boolean)
      .join(' and ');
    throw new ConfigError(`bad ${command} config${from ? ` (from ${from})` : ''}: ${r.error.issues.slice(0, 5).map(describe).join('; ')}`);
  }
  return r.data as ConfigOf<C>;
}
