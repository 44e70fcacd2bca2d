/**
 * The candidate strategies of `pvnas search` (training-free, evolution, random): architectures proposed one by one,
 * each scored and appended as one line to the run folder's candidates.jsonl, then the best written as genotype.json
 * with the report's candidate table. A stopped or killed run resumed with --resume goes on after the last line
 * written: proposals and scores are functions of the seed, the candidate's index and the lines before it.
 *
 * What differs between the strategies is a `CandidateRunner` (candidate-runners.ts): how it proposes, how it scores,
 * how it ranks. Candidates over the cost budget are recorded as rejected and not scored.
 */
import * as fs from 'node:fs';
import { z } from 'zod';
import { CELL_TYPES, genotypeGflops, genotypeSchema, writeGenotype, type Genotype } from '@pvnas/nas';
import type { SearchConfig } from '../config/schema';
import { renderRunPlots } from '../plots/render-run';
import { writeReport } from '../run/report';
import { budgetSection, genotypeMs } from './search-budget';
import { searchClock, stopOnSignal, type Session } from './session';

export const CANDIDATES_FILE = 'candidates.jsonl';

const candidateSchema = z.object({
  index: z.number().int().min(0),
  genotype: genotypeSchema,
  /** The candidate it mutates (evolution). */
  parent: z.number().int().min(0).optional(),
  /** The derived network's GFLOPs at the budget's target (budget.ts), and its ms per clip when a ms budget is set. */
  gflops: z.number().min(0),
  ms: z.number().min(0).optional(),
  /** Over the budget: not scored. */
  rejected: z.boolean().optional(),
  /** The runner's scores (null: undefined, e.g. a singular NTK: JSON has no Infinity). */
  scores: z.record(z.string(), z.number().nullable()).optional(),
  seconds: z.number(),
});
export type Candidate = z.infer<typeof candidateSchema>;
export type Scored = Candidate & { scores: Record<string, number | null> };

/** How a candidate strategy proposes, scores and ranks (candidate-runners.ts). */
export interface CandidateRunner {
  /** The log's first line about the search. */
  describe: string;
  /** Candidate `index`, given the candidates scored so far (rejected ones left out), in order. */
  propose(index: number, scored: readonly Scored[]): { genotype: Genotype; parent?: number };
  score(genotype: Genotype, index: number): Promise<Record<string, number | null>>;
  /** Indices into `scored`, best first. */
  order(scored: readonly Scored[]): number[];
  /** The report table's score columns. */
  columns: Array<{ title: string; value: (s: Scored, rank: number) => string }>;
  /** What the ranking is, for the report. */
  ranking: string;
  close(): Promise<void>;
}

/** Draws per candidate wanted before a budget no candidate keeps is called impossible. */
const MAX_DRAWS_PER_CANDIDATE = 50;

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
}

/** The candidates a run has written so far; a torn last line (a kill mid-write) is dropped and done again. */
function readCandidates(file: string): Candidate[] {
  if (!fs.existsSync(file)) return [];
  const out: Candidate[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const r = candidateSchema.safeParse(parseLine(line));
    if (!r.success || r.data.index !== out.length) break;
    out.push(r.data);
  }
  return out;
}

export async function runCandidateSearch(
  s: Session<SearchConfig>,
  runner: CandidateRunner,
  wanted: number,
  log: (line: string) => void,
): Promise<{ status: 'done' | 'stopped'; run: string; genotype?: Genotype }> {
  const c = s.config;
  const file = s.run.path(CANDIDATES_FILE);
  const done = readCandidates(file);
  fs.writeFileSync(file, done.map((x) => JSON.stringify(x) + '\n').join('')); // without a torn line
  const scored = (): Scored[] => done.filter((d): d is Scored => !d.rejected && d.scores !== undefined);
  if (done.length) log(`continuing after ${scored().length} scored candidates`);
  log(`search (${c.strategy}): ${runner.describe}; run folder ${s.run.dir}`);
  const max = c.budget.maxGflops;
  const clock = searchClock(s, c.timeBudgetMin);
  const stop = stopOnSignal(log, 'finishing this candidate');
  let status: 'done' | 'stopped' = 'done';
  try {
    for (let i = done.length; scored().length < wanted; i++) {
      if (stop.requested()) {
        status = 'stopped';
        break;
      }
      if (clock.timeUp?.() && scored().length > 0) {
        log(`time budget reached after ${scored().length} of ${wanted} candidates: the search ends here`);
        break;
      }
      if (i >= wanted * MAX_DRAWS_PER_CANDIDATE)
        throw new Error(
          `${c.strategy}: ${i} architectures drawn and only ${scored().length} keep the budget (${[max !== null && `${max} GFLOPs`, c.budget.maxMs !== null && `${c.budget.maxMs} ms`].filter(Boolean).join(', ')}; ${wanted} wanted): raise it, or ask for fewer candidates`,
        );
      const t0 = performance.now();
      const { genotype, parent } = runner.propose(i, scored());
      const gflops = genotypeGflops(genotype, c.budget);
      // timed only when a ms budget asks (a whole network at the target size)
      const ms = c.budget.maxMs !== null && (max === null || gflops <= max) ? genotypeMs(genotype, c.budget) : undefined;
      const base = { index: i, genotype, ...(parent !== undefined && { parent: scored()[parent].index }), gflops, ...(ms !== undefined && { ms }) };
      if ((max !== null && gflops > max) || (ms !== undefined && c.budget.maxMs !== null && ms > c.budget.maxMs)) {
        const rejected: Candidate = { ...base, rejected: true, seconds: (performance.now() - t0) / 1000 };
        fs.appendFileSync(file, JSON.stringify(rejected) + '\n');
        done.push(rejected);
        continue;
      }
      const scores = await runner.score(genotype, i);
      const cand: Scored = { ...base, scores, seconds: (performance.now() - t0) / 1000 };
      fs.appendFileSync(file, JSON.stringify(cand) + '\n');
      done.push(cand);
      const said = Object.entries(scores)
        .map(([k, v]) => `${k} ${v === null ? 'undefined' : +v.toPrecision(4)}`)
        .join(', ');
      log(
        `candidate ${i} (${scored().length} of ${wanted}${cand.parent !== undefined ? `, from ${cand.parent}` : ''}): ${said}, ${gflops.toFixed(1)} GFLOPs (${cand.seconds.toFixed(1)} s)`,
      );
    }
  } catch (e) {
    s.run.update({ status: 'failed', error: (e as Error).message, ended: new Date().toISOString() });
    throw e;
  } finally {
    stop.release();
    await runner.close();
  }
  s.run.update({ status, ended: new Date().toISOString(), ...clock.record() });
  const ranked = scored();
  const order = runner.order(ranked);
  const rank = new Map(order.map((k, r) => [k, r]));
  const table = [
    `## Candidates (${c.strategy})`,
    '',
    `${ranked.length} of ${wanted} scored${max !== null || c.budget.maxMs !== null ? ` (${done.length - ranked.length} drawn over the budget, not scored)` : ''}; ${runner.ranking}. GFLOPs: the derived network at the budget's target. The ten best:`,
    '',
    `| rank | candidate | ${runner.columns.map((k) => k.title).join(' | ')} | GFLOPs | cells |`,
    `| ---: | ---: | ${runner.columns.map(() => '---:').join(' | ')} | ---: | --- |`,
    ...order.slice(0, 10).map((i) => {
      const d = ranked[i];
      const cells = CELL_TYPES.map((t) => d.genotype.cells[t].edges.map(([op, k]) => `${op}(${k})`).join(' ')).join(' / ');
      return `| ${(rank.get(i) as number) + 1} | ${d.index} | ${runner.columns.map((k) => k.value(d, rank.get(i) as number)).join(' | ')} | ${d.gflops.toFixed(2)} | ${cells} |`;
    }),
    '',
  ];
  let genotype: Genotype | undefined;
  if (status === 'done') {
    const best = ranked[order[0]];
    genotype = { ...best.genotype, source: { run: s.run.meta.name, from: c.strategy, seed: best.index } };
    writeGenotype(s.run.path('genotype.json'), genotype);
    log(`best: candidate ${best.index}`);
    log(`genotype: ${s.run.path('genotype.json')}`);
  } else log(`stopped; continue with: npx pvnas search --resume ${s.run.meta.name}`);
  await renderRunPlots(s.run.dir);
  writeReport(s.run, [...table, ...(genotype ? budgetSection(genotype, c.budget, log) : [])]);
  return { status, run: s.run.dir, genotype };
}
