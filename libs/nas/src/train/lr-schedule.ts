/**
 * Weight learning-rate schedules of the search (paper 3.2.2): `step` (x0.1 every 20 epochs, the paper's,
 * which keeps the weights learning long enough for parameterised ops to win), `cosine` (0.1 -> 1e-4 over
 * the run, DARTS' baseline that falls into parameter-free cells), `constant`. Retraining uses `cosine` with
 * a linear warm-up (paper: 36 of 196 epochs), as PySlowFast: from `warmupStart` up to the schedule's value
 * at the warm-up's end. Pure functions of the (fractional) epoch: retraining evaluates them every step.
 */
import { z } from 'zod';

export const lrScheduleSchema = z.strictObject({
  kind: z.enum(['step', 'cosine', 'constant']).default('step'),
  initial: z.number().positive().default(0.1),
  /** step: multiply by `gamma` every `stepEpochs`. */
  gamma: z.number().positive().max(1).default(0.1),
  stepEpochs: z.number().int().positive().default(20),
  /** cosine: the value reached at the last epoch. */
  minimum: z.number().nonnegative().default(1e-4),
  /** Linear warm-up over the first `warmupEpochs` (0 = none), starting at `warmupStart`. */
  warmupEpochs: z.number().nonnegative().default(0),
  warmupStart: z.number().nonnegative().default(0),
});
export type LrSchedule = z.infer<typeof lrScheduleSchema>;

/** Learning rate at `epoch` (0-based, fractional within an epoch) of `epochs`. */
export function learningRate(s: LrSchedule, epoch: number, epochs: number): number {
  if (epoch < s.warmupEpochs) return s.warmupStart + ((scheduled(s, s.warmupEpochs, epochs) - s.warmupStart) * epoch) / s.warmupEpochs;
  return scheduled(s, epoch, epochs);
}

function scheduled(s: LrSchedule, epoch: number, epochs: number): number {
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
