/**
 * `report.md` of a run: what ran (command, config essentials, backend, commit), how it went (epochs,
 * final loss/accuracy, throughput, data-wait fraction, skipped clips), what it produced (genotype,
 * model, evaluation) and links to the plots. Rebuilt from the run folder's files, so it can be
 * regenerated at any time.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CELL_TYPES, readGenotype } from '@pvnas/nas';
import { readMetrics, type EpochRecord } from './metrics';
import type { RunFolder } from './run-folder';
import { writeFileAtomic } from '@pvnas/base/node';

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function renderReport(run: RunFolder, extraSections: string[] = []): string {
  const m = run.meta;
  const config = run.config() as Record<string, unknown>;
  const lines: string[] = [`# ${m.name}`, '', `\`${m.preset}\` (${m.command}), status **${m.status}**${m.error ? `: ${m.error}` : ''}.`, ''];
  lines.push('| | |', '| --- | --- |');
  lines.push(`| started | ${m.started}${m.resumed.length ? ` (resumed ${m.resumed.length}x)` : ''} |`);
  if (m.ended) lines.push(`| ended | ${m.ended} |`);
  lines.push(`| seed | ${m.seed} |`);
  lines.push(
    `| backend | ${m.backend.name}, ${m.backend.threads} threads (${Object.entries(m.backend.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}) |`,
  );
  lines.push(`| commit | ${m.git ? `${m.git.commit.slice(0, 12)}${m.git.dirty ? ' (uncommitted changes)' : ''}` : 'not a git checkout'} |`);
  lines.push(`| host | ${m.host.cpus} CPUs, ${m.host.memoryGb} GB, ${m.host.platform}, node ${m.versions.node} |`);
  // a search's strategy, and the sampling strategy's temperatures when it ran
  const keys = ['strategy', ...(config.strategy === 'sampling' ? ['sampling'] : []), 'epochs', 'batchSize', 'channels', 'repeats', 'clips', 'optim', 'data'];
  for (const key of keys) if (config[key] !== undefined) lines.push(`| ${key} | \`${JSON.stringify(config[key])}\` |`);
  lines.push('');

  const metricsFile = run.path('metrics.jsonl');
  if (fs.existsSync(metricsFile)) {
    const records = readMetrics(metricsFile);
    const epochs = records.filter((r): r is EpochRecord => r.kind === 'epoch');
    if (epochs.length > 0) {
      const wait = epochs.reduce((s, e) => s + e.dataWait, 0) / epochs.length;
      const skipped = epochs.reduce((s, e) => s + e.skipped, 0);
      lines.push('## Training', '', '| epoch | loss | train acc | val acc | LR | clips/s | data wait |', '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
      for (const e of epochs)
        lines.push(
          `| ${e.epoch + 1} | ${e.loss.toFixed(4)} | ${pct(e.acc)} | ${e.valAcc !== undefined ? pct(e.valAcc) : ''}${e.valAccShuffled !== undefined ? ` (frames shuffled: ${pct(e.valAccShuffled)})` : ''} | ${e.lr.weights.toPrecision(3)} | ${e.clipsPerSec.toFixed(1)} | ${pct(e.dataWait)} |`,
        );
      lines.push(
        '',
        `Mean fraction of step time spent waiting for data: **${pct(wait)}**. Bad clips skipped: ${skipped}${skipped ? ' (see bad-clips.json)' : ''}.`,
        '',
      );
    }
  }

  const genotypeFile = run.path('genotype.json');
  if (fs.existsSync(genotypeFile)) {
    const g = readGenotype(genotypeFile);
    lines.push('## Genotype', '', `\`genotype.json\`${g.source?.epoch !== undefined ? `, derived from the alphas of epoch ${g.source.epoch}` : ''}:`, '');
    for (const t of CELL_TYPES) lines.push(`- **${t}**: ${g.cells[t].edges.map(([op, i], k) => `node ${Math.floor(k / 2)} <- ${op}(${i})`).join(', ')}`);
    lines.push('');
  }

  lines.push(...extraSections);
  const plotsDir = run.path('plots');
  if (fs.existsSync(plotsDir)) {
    const svgs = fs
      .readdirSync(plotsDir)
      .filter((f) => f.endsWith('.svg'))
      .sort();
    if (svgs.length) lines.push('## Plots', '', ...svgs.map((f) => `![${f}](plots/${f})`), '');
  }
  return lines.join('\n');
}

export function writeReport(run: RunFolder, extraSections: string[] = []): string {
  const file = run.path('report.md');
  writeFileAtomic(file, renderReport(run, extraSections));
  return path.resolve(file);
}
