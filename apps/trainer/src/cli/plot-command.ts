/**
 * `pvnas plot RUN`: draws a run folder's plots (curves, alpha evolution, derived cells) as SVG into
 * RUN/plots/ and prints {"run", "plots": [files]}. Not a run folder (neither metrics.jsonl nor run.json):
 * exit 1, naming it.
 */
import path from 'node:path';
import { Command } from 'commander';
import { renderRunPlots } from '../plots/render-run';
import { printJson } from './args';

export function addPlotCommand(cli: Command): void {
  cli
    .command('plot')
    .description("draw a run's plots as SVG into RUN/plots/: curves, alpha evolution per cell category, final alphas, derived cells")
    .argument('<run>', 'run folder (runs/<name>)')
    .action(async (run: string) => {
      const runDir = path.resolve(run);
      const plots = await renderRunPlots(runDir);
      printJson({ run: runDir, plots });
    });
}
