/**
 * Weight learning-rate schedules of the search (paper 3.2.2): `step` (x0.1 every 20 epochs, the paper's,
 * which keeps the weights learning long enough for parameterised ops to win), `cosine` (0.1 -> 1e-4 over
 * the run, DARTS' baseline that falls into parameter-free cells), `constant`. Pure functions of the epoch.
 */
import { z } from 'zod';

export const lrScheduleSchema = z.object({
  kind: z.enum(['step', 'cosine', 'constant']).default('step'),
  initial: z.number().positive().default(0.1),
  /** step: multiply by `gamma` every `stepEpochs`. */
  gamma: z.number().positive().max(1).default(0.1),
  stepEpochs: z.number().int().positive().default(20),
  /** cosine: the value reached at the last epoch. */
  minimum: z.number().nonnegative().default(1e-4),
});
export type LrSchedule = z.infer<typeof lrScheduleSchema>;

/** Learning rate during `epoch` (0-based) of `epochs`. */
export function learningRate(s: LrSchedule, epoch: number, epochs: number): number {
  switch (s.kind) {
    case 'constant':
      return s.initial;
    case 'step':
      return s.initial * s.gamma ** Math.floor(epoch / s.stepEpochs);
    case 'cosine':
      // as torch's CosineAnnealingLR with T_max = epochs, eta_min = minimum
      return s.minimum + ((s.initial - s.minimum) * (1 + Math.cos((Math.PI * epoch) / epochs))) / 2;
  }
}
