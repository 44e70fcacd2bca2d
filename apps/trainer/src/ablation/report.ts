/**
 * ablation.md: the tables (shaped like the paper's Tab. 3: one row per variant, mean +- sd and n), the
 * budget in their headers, and what the data show, claim by claim, including where a claim does not
 * reproduce. Rows of runs that have not finished say so.
 */
import { CELL_TYPES } from '@pvnas/nas';
import { CATEGORY_SHORT_NAMES } from '../plots/cell-states';
import type { AblationResults, SearchResult, Stat, VariantResult } from './summary';

const p = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? '–' : `${(100 * v).toFixed(1)}`);
const ms = (s: Stat, scale = 100, digits = 1): string => (s.n === 0 ? '–' : `${(scale * s.mean).toFixed(digits)}${s.n > 1 ? ` ± ${(scale * s.sd).toFixed(digits)}` : ''}`);
const f = (v: number | null, digits: number, scale = 1): string => (v === null ? '–' : (v / scale).toFixed(digits));

function budgetLine(r: AblationResults): string {
  const b = r.budget;
  return [
    `Budget: search ${b.searchEpochs} epochs at C=${b.searchChannels} on ${b.searchCrop}-px crops`,
    `retraining ${b.retrainEpochs} epochs at C=${b.retrainChannels} on ${b.retrainCrop}-px crops`,
    `evaluation ${b.views} views a video (clips x 3 crops), in order and with each clip's frames shuffled`,
    `${b.trainClips ?? '?'} training and ${b.valClips ?? '?'} validation clips of ${b.classes ?? '?'} classes (chance ${b.classes ? (100 / b.classes).toFixed(1) : '?'}%)`,
    `search seeds ${r.config.seeds.join(', ')}; ${r.config.randomGenotypes} random genotypes (>= ${r.config.minConvOps} convolutions a cell)`,
  ].join('; ') + '.';
}

function searchRow(s: SearchResult): string {
  const c = s.counts;
  const verdict = s.informative === null ? (c ? '?' : 'not finished') : s.informative ? 'learned' : '**chance**';
  return `| ${s.schedule} | ${s.seed} | ${p(s.valAcc)} | ${p(s.valAccShuffled)} | ${verdict} | ${CELL_TYPES.map((t) => (c ? c[t].paramFree : '–')).join(' | ')} | ${c ? c.temporal_normal.temporalConvs : '–'} | ${c ? c.temporal_reduce.temporalConvs : '–'} |`;
}

function variantRow(v: VariantResult): string {
  const drop = v.top1 !== null && v.shuffledTop1 !== null ? p(v.top1 - v.shuffledTop1) : '–';
  return `| ${v.label} | ${f(v.params, 3, 1e6)} | ${f(v.gflops, 3)} | ${f(v.paramsL, 2, 1e6)} | ${f(v.gflopsL, 1)} | ${p(v.top1)} | ${p(v.top5)} | ${p(v.singleView)} | ${p(v.shuffledTop1)} | ${drop} |`;
}

/** Claim by claim, from the numbers: reproduces, does not, or not measured yet. */
export function findings(r: AblationResults): string[] {
  const out: string[] = [];
  const [step, cosine] = [r.schedules.find((s) => s.schedule === 'step')!, r.schedules.find((s) => s.schedule === 'cosine')!];
  const free = (s: typeof step) => CELL_TYPES.reduce((a, t) => a + (s.paramFree[t].n ? s.paramFree[t].mean : 0), 0);
  if (step.paramFree.spatial_normal.n > 0 && cosine.paramFree.spatial_normal.n > 0) {
    const [a, b] = [free(step), free(cosine)];
    out.push(`- **Schedule (3.3, Fig. 4).** Parameter-free edges over the four cells: step ${a.toFixed(1)}, cosine ${b.toFixed(1)} of 32 (mean over seeds). ${b > a ? 'The cosine schedule derives more parameter-free ops: the claim reproduces in direction' : 'The cosine schedule does not derive more parameter-free ops here: the claim does not reproduce at this scale'}. Temporal convolutions in T-NC/T-RC: step ${ms(step.temporalConvs.temporal_normal, 1)}/${ms(step.temporalConvs.temporal_reduce, 1)}, cosine ${ms(cosine.temporalConvs.temporal_normal, 1)}/${ms(cosine.temporalConvs.temporal_reduce, 1)}. Supernet validation accuracy: step ${ms(step.valAcc)}%, cosine ${ms(cosine.valAcc)}%.`);
  } else out.push('- **Schedule.** Not all searches have finished.');
  const g = Object.fromEntries(r.groups.map((x) => [x.group, x]));
  if (g.searched?.top1.n && g.random?.top1.n) {
    const d = g.searched.top1.mean - g.random.top1.mean;
    const sd = g.random.top1.sd;
    out.push(`- **Searched vs random (Tab. 3).** Searched ${ms(g.searched.top1)}% against random ${ms(g.random.top1)}% top-1 (30 views): ${d > 0 ? `searched is ${(100 * d).toFixed(1)} points higher` : `searched is ${(100 * -d).toFixed(1)} points lower`}${sd > 0 ? `, ${(d / sd).toFixed(1)} random-genotype standard deviations` : ''}. ${d > sd && sd > 0 ? 'The claim reproduces.' : 'Within the spread of random genotypes: the claim does not reproduce clearly at this scale.'}`);
  }
  const early = r.variants.filter((v) => v.group === 'early' && v.top1 !== null);
  const first = r.variants.find((v) => v.variant === `searched-s${r.config.seeds[0]}`);
  if (early.length > 0 && first?.top1 != null) {
    out.push(`- **Stop early (Tab. 3).** Top-1 of genotypes from earlier snapshots of the seed-${r.config.seeds[0]} search: ${early.map((v) => `${v.label.replace('stopped at ', '')} ${p(v.top1)}%`).join(', ')}; the end of the search ${p(first.top1)}%.`);
  }
  const withBoth = r.variants.filter((v) => v.top1 !== null && v.shuffledTop1 !== null);
  const twoD = withBoth.find((v) => v.group === '2d');
  const temporal = withBoth.filter((v) => v.group !== '2d');
  if (temporal.length > 0) {
    const drops = temporal.map((v) => v.top1! - v.shuffledTop1!);
    out.push(`- **Time (Only Time Can Tell).** Shuffling each clip's frames costs the networks with temporal ops ${(100 * Math.min(...drops)).toFixed(1)}-${(100 * Math.max(...drops)).toFixed(1)} points of top-1${twoD ? `; the 2D network ${p(twoD.top1! - twoD.shuffledTop1!)} (it cannot see order)` : ''}. ${Math.min(...drops) > 0.1 ? 'The classes need time, and the networks use it.' : 'Some networks barely use frame order.'}`);
  }
  if (twoD && g.searched?.top1.n) {
    out.push(`- **2D baseline.** Spatial cells only: ${p(twoD.top1)}% top-1 against ${ms(g.searched.top1)}% searched (chance ${r.budget.classes ? (100 / r.budget.classes).toFixed(1) : '?'}%).`);
  }
  return out;
}

export function renderAblationMarkdown(r: AblationResults, plots: string[]): string {
  const lines = [
    `# Ablation ${r.name}`,
    '',
    budgetLine(r),
    '',
    '## 1. Schedule (paper 3.3, Fig. 4)',
    '',
    'Supernet single-view validation accuracy after the last epoch, in order and with shuffled frames; edges (of 8) with a parameter-free op (skip, pools) per derived cell; temporal convolutions in the temporal cells.',
    '',
    `| schedule | seed | val acc % | shuffled % | verdict | ${CELL_TYPES.map((t) => `param-free ${CATEGORY_SHORT_NAMES[t]}`).join(' | ')} | t-convs T-NC | t-convs T-RC |`,
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...r.searches.map(searchRow),
    ...r.schedules.map((s) => `| **${s.schedule}, mean ± sd** | ${s.valAcc.n} | ${ms(s.valAcc)} | | | ${CELL_TYPES.map((t) => ms(s.paramFree[t], 1)).join(' | ')} | ${ms(s.temporalConvs.temporal_normal, 1)} | ${ms(s.temporalConvs.temporal_reduce, 1)} |`),
    '',
    'Alpha trajectories: `param-free-share.svg` (here) and each search run\'s `plots/` (`runs/search-*/plots/alphas-*.svg`).',
    '',
    '## 2-5. Searched vs random, stop early, time, 2D (shaped like Tab. 3)',
    '',
    `${budgetLine(r)} Params and GFLOPs (multiply-adds) at this size, and as PV-NAS-L (C=64, 8x224x224, /4 stem, 400 classes).`,
    '',
    '| variant | n | top-1 % | top-5 % | top-1 shuffled % |',
    '|---|---|---|---|---|',
    ...r.groups.map((x) => `| **${x.label}** | ${x.top1.n} | ${ms(x.top1)} | ${ms(x.top5)} | ${ms(x.shuffledTop1)} |`),
    '',
    '| genotype | params M | GFLOPs | L params M | L GFLOPs | top-1 % | top-5 % | single view % | top-1 shuffled % | drop |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...r.variants.map(variantRow),
    '',
    '## What the data show',
    '',
    ...findings(r),
    '',
    '## Figures',
    '',
    ...plots.map((x) => `- \`${x}\``),
    '',
  ];
  return lines.join('\n');
}
