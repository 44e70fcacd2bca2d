/**
 * All plots of a run folder (`runs/<name>/`) into `<run>/plots/`, each file written atomically:
 *   curves.svg            loss, accuracy, learning rate(s) against step (curves-<phase>.svg when both phases)
 *   alphas-<category>.svg alpha evolution of each cell category     (search runs: alphas in metrics or alphas/)
 *   alphas-final.svg      the last alpha snapshot as heat maps       (same)
 *   cell-<category>.svg   each derived cell, DARTS-style             (runs with a genotype.json)
 * A missing input (no metrics yet, no alphas in a retrain run, no genotype yet) skips its plots; a bad one (metrics line, alphas or genotype file) throws, naming it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CELL_TYPES, readGenotype } from '@pvnas/nas';
import { readMetrics } from '../run/metrics';
import { alphaEvolutionFileName, alphaEvolutionSvg, MEAN_POINTS } from './alpha-evolution';
import { downsampleTrajectory, trajectoryFromAlphasFiles, trajectoryFromMetrics } from './alpha-trajectory';
import { cellFileName, cellSvg } from './cell-diagram';
import { curvesFileName, curvesSvg, splitByPhase } from './curves';
import { FINAL_ALPHAS_FILE, finalAlphasSvg } from './final-alphas';
import { writeFileAtomic } from '@pvnas/base/node';

export const METRICS_FILE = 'metrics.jsonl';
/** What the trainer writes when a run starts (run-folder.ts), before its first metric record. */
export const RUN_META_FILE = 'run.json';
export const GENOTYPE_FILE = 'genotype.json';
export const PLOTS_DIR = 'plots';

/** A run folder is a folder holding metrics.jsonl or run.json (a run that has not finished a step yet). */
export function checkRunFolder(runDir: string): void {
  if (!fs.existsSync(runDir)) throw new Error(`run folder ${runDir} does not exist`);
  if (!fs.statSync(runDir).isDirectory()) throw new Error(`${runDir} is not a run folder (not a folder)`);
  if (![METRICS_FILE, RUN_META_FILE].some((f) => fs.existsSync(path.join(runDir, f)))) {
    throw new Error(`${runDir} is not a run folder: it has neither ${METRICS_FILE} nor ${RUN_META_FILE}`);
  }
}

/** Renders every plot the folder has inputs for; returns the files written (absolute paths), in a fixed order. */
export async function renderRunPlots(runDir: string): Promise<string[]> {
  const dir = path.resolve(runDir);
  checkRunFolder(dir);
  const runName = path.basename(dir);
  const metricsFile = path.join(dir, METRICS_FILE);
  const records = fs.existsSync(metricsFile) ? readMetrics(metricsFile) : [];
  const plots: Array<{ name: string; svg: string }> = [];

  const phases = splitByPhase(records);
  for (const phase of phases) {
    const svg = curvesSvg(phase, runName);
    if (svg !== null) plots.push({ name: curvesFileName(phase.phase, phases.length), svg });
  }

  const found = trajectoryFromMetrics(records, metricsFile) ?? trajectoryFromAlphasFiles(dir);
  if (found !== null) {
    const trajectory = downsampleTrajectory(found, MEAN_POINTS);
    for (const category of CELL_TYPES) plots.push({ name: alphaEvolutionFileName(category), svg: alphaEvolutionSvg(trajectory, category, runName) });
    const final = finalAlphasSvg(found, runName);
    if (final !== null) plots.push({ name: FINAL_ALPHAS_FILE, svg: final });
  }

  const genotypeFile = path.join(dir, GENOTYPE_FILE);
  if (fs.existsSync(genotypeFile)) {
    const genotype = readGenotype(genotypeFile);
    for (const category of CELL_TYPES) plots.push({ name: cellFileName(category), svg: await cellSvg(genotype.cells[category], category) });
  }

  // every plot is built before the first is written: a bad input leaves the old plots as they were
  return plots.map(({ name, svg }) => {
    const file = path.join(dir, PLOTS_DIR, name);
    writeFileAtomic(file, svg);
    return file;
  });
}
