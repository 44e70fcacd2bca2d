/** A search's genotype against its budget (libs/nas/src/search/budget.ts), in GFLOPs and in ms on the running backend. */
import { genotypeGflops, latencyTable, networkMs, randomGenotype, targetShape, type Budget, type Genotype, type LatencyTable } from '@pvnas/nas';

/** The ms budget's latency table of the target network, timed on the running backend (undefined without one). */
export function targetLatency(budget: Budget, log: (line: string) => void): LatencyTable | undefined {
  if (budget.maxMs === null) return undefined;
  const t0 = performance.now();
  log(
    `--max-ms: timing every op of the target network (PV-NAS-${budget.target.preset}, ${budget.target.frames}x${budget.target.size}x${budget.target.size}) on this backend`,
  );
  const table = latencyTable(targetShape(budget), randomGenotype(1));
  log(`--max-ms: latency table in ${((performance.now() - t0) / 1000).toFixed(1)} s; the rest of the network ${table.fixedMs.toFixed(1)} ms a clip`);
  return table;
}

/** The derived network's ms per clip at the budget's target on the running backend. */
export function genotypeMs(genotype: Genotype, budget: Budget): number {
  return networkMs(genotype, targetShape(budget));
}

/** The genotype's GFLOPs at the budget's target against the budget, in the report and, when over it, in the log. */
export function budgetSection(genotype: Genotype, budget: Budget, log: (line: string) => void): string[] {
  if (budget.maxGflops === null && budget.maxMs === null) return [];
  const t = budget.target;
  const where = `PV-NAS-${t.preset} on ${t.frames}x${t.size}x${t.size} clips, stem stride ${t.stemStride}, ${t.classes} classes`;
  const lines: string[] = [];
  const check = (what: string, value: number, max: number, unit: string): void => {
    const kept = value <= max;
    if (!kept) log(`WARNING: the genotype's network ${what} ${value.toFixed(2)} ${unit} (${where}), over the budget of ${max}`);
    lines.push(`${kept ? 'Kept' : '**Not kept**'}: the derived network ${what} ${value.toFixed(2)} ${unit} (${where}); the budget is ${max} ${unit}.`);
  };
  if (budget.maxGflops !== null) check('costs', genotypeGflops(genotype, budget), budget.maxGflops, 'GFLOPs');
  if (budget.maxMs !== null) check('takes', genotypeMs(genotype, budget), budget.maxMs, 'ms a clip on this backend');
  return ['## Budget', '', ...lines.flatMap((l) => [l, '']), ''].slice(0, -1);
}
