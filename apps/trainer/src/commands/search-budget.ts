/** The report's and the log's word on a search's genotype against its GFLOPs budget (libs/nas/src/search/budget.ts). */
import { genotypeGflops, type Budget, type Genotype } from '@pvnas/nas';

/** The genotype's GFLOPs at the budget's target against the budget, in the report and, when over it, in the log. */
export function budgetSection(genotype: Genotype, budget: Budget, log: (line: string) => void): string[] {
  if (budget.maxGflops === null) return [];
  const gflops = genotypeGflops(genotype, budget);
  const t = budget.target;
  const where = `PV-NAS-${t.preset} on ${t.frames}x${t.size}x${t.size} clips, stem stride ${t.stemStride}, ${t.classes} classes`;
  const kept = gflops <= budget.maxGflops;
  if (!kept) log(`WARNING: the genotype's network costs ${gflops.toFixed(2)} GFLOPs (${where}), over the budget of ${budget.maxGflops}`);
  return [
    '## Budget',
    '',
    `${kept ? 'Kept' : '**Not kept**'}: the derived network costs ${gflops.toFixed(2)} GFLOPs (${where}); the budget is ${budget.maxGflops} GFLOPs.`,
    '',
  ];
}
