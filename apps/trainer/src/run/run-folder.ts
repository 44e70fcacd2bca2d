/**
 * `runs/<name>/`: what a run writes next to its outputs so it can be understood and continued later:
 * `config.json` (the resolved config), `run.json` (command, seed, backend, versions, git commit, start and
 * resume times, final status). Resuming reads both back.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import { type BackendInfo } from '@pvnas/nas';
import { readJsonFile, writeJsonFile } from '@pvnas/base/node';

export const RUN_COMMANDS = ['search', 'retrain', 'evaluate'] as const;

const runMetaSchema = z.object({
  format: z.literal('pvnas-run/1'),
  command: z.enum(RUN_COMMANDS),
  name: z.string(),
  /** The nx target or subcommand preset (e.g. retrain-ssv2). */
  preset: z.string(),
  seed: z.number().int(),
  /** Where relative paths of config.json resolve (the config file's folder, or the working directory). */
  baseDir: z.string(),
  started: z.string(),
  resumed: z.array(z.string()),
  status: z.enum(['running', 'stopped', 'done', 'failed']),
  error: z.string().optional(),
  ended: z.string().optional(),
  /** device: where the torch backend computed (absent in runs made before devices; `cpu` for the other backends). */
  backend: z.object({ name: z.string(), device: z.string().optional(), threads: z.number(), versions: z.record(z.string(), z.string()) }),
  versions: z.record(z.string(), z.string()),
  git: z.object({ commit: z.string(), dirty: z.boolean() }).nullable(),
  host: z.object({ cpus: z.number(), platform: z.string(), memoryGb: z.number() }),
  /** Search: did the supernet beat chance (libs/nas search/verdict.ts)? An uninformative genotype is never retrained by default. */
  verdict: z.object({ informative: z.boolean(), reason: z.string() }).optional(),
  /** Data parallel: processes, their collectives' backend (null alone) and nodes (absent in runs made before it: 1 process). */
  distributed: z.object({ worldSize: z.number().int().min(1), backend: z.string().nullable(), nodes: z.number().int().min(1) }).optional(),
  /** Peak resident memory of the (rank 0) process, MiB (VmHWM, Linux), recorded when a search ends. */
  peakRssMiB: z.number().min(0).optional(),
  /** Seconds the search ran, over all its resumptions. */
  searchSeconds: z.number().min(0).optional(),
});
export type RunMeta = z.infer<typeof runMetaSchema>;

export function gitCommit(cwd: string): RunMeta['git'] {
  const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8' });
  if (head.status !== 0) return null;
  const status = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, encoding: 'utf8' });
  return { commit: head.stdout.trim(), dirty: status.stdout.trim().length > 0 };
}

function packageVersion(name: string): string {
  try {
    return (JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function defaultRunName(command: string, now = new Date()): string {
  return `${command}-${now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}`;
}

export class RunFolder {
  private constructor(
    readonly dir: string,
    public meta: RunMeta,
  ) {}

  static create(
    dir: string,
    o: {
      command: RunMeta['command'];
      preset: string;
      seed: number;
      config: unknown;
      backend: BackendInfo;
      workspace: string;
      baseDir?: string;
      distributed?: RunMeta['distributed'];
    },
  ): RunFolder {
    if (fs.existsSync(path.join(dir, 'run.json')))
      throw new Error(`run folder ${dir} already holds a run: continue it with --resume ${path.basename(dir)}, or choose another --name`);
    fs.mkdirSync(dir, { recursive: true });
    writeJsonFile(path.join(dir, 'config.json'), o.config);
    const meta: RunMeta = {
      format: 'pvnas-run/1',
      command: o.command,
      name: path.basename(dir),
      preset: o.preset,
      seed: o.seed,
      baseDir: path.resolve(o.baseDir ?? '.'),
      started: new Date().toISOString(),
      resumed: [],
      status: 'running',
      backend: { name: o.backend.name, device: o.backend.device, threads: o.backend.threads, versions: o.backend.versions },
      distributed: o.distributed ?? { worldSize: 1, backend: null, nodes: 1 },
      versions: {
        node: process.versions.node,
        'pvnas-ts': (JSON.parse(fs.readFileSync(path.join(o.workspace, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown',
        '@tensorflow/tfjs-core': packageVersion('@tensorflow/tfjs-core'),
        zod: packageVersion('zod'),
      },
      git: gitCommit(o.workspace),
      host: { cpus: os.cpus().length, platform: `${os.platform()} ${os.arch()}`, memoryGb: +(os.totalmem() / 2 ** 30).toFixed(1) },
    };
    const run = new RunFolder(dir, meta);
    run.save();
    return run;
  }

  /** An existing run, to resume or to read. */
  static open(dir: string): RunFolder {
    const file = path.join(dir, 'run.json');
    if (!fs.existsSync(file)) throw new Error(`${dir} is not a run folder (no run.json)`);
    return new RunFolder(dir, readJsonFile(file, runMetaSchema, 'run'));
  }

  config(): unknown {
    return JSON.parse(fs.readFileSync(path.join(this.dir, 'config.json'), 'utf8'));
  }

  path(...parts: string[]): string {
    return path.join(this.dir, ...parts);
  }

  update(change: Partial<RunMeta>): void {
    this.meta = { ...this.meta, ...change };
    this.save();
  }

  private save(): void {
    writeJsonFile(path.join(this.dir, 'run.json'), runMetaSchema.parse(this.meta));
  }
}

/** The newest run of `command` under `runsDir` that finished (by start time), or undefined. */
export function latestRun(
  runsDir: string,
  command: RunMeta['command'],
  accept: (r: RunFolder) => boolean = (r) => r.meta.status === 'done',
): RunFolder | undefined {
  if (!fs.existsSync(runsDir)) return undefined;
  const runs = fs
    .readdirSync(runsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(runsDir, e.name, 'run.json')))
    .flatMap((e) => {
      try {
        return [RunFolder.open(path.join(runsDir, e.name))];
      } catch {
        return [];
      }
    })
    .filter((r) => r.meta.command === command && accept(r))
    .sort((a, b) => b.meta.started.localeCompare(a.meta.started));
  return runs[0];
}
