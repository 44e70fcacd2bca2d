/**
 * Did the supernet learn anything? A genotype derived from a supernet that ended at chance is noise: its
 * alphas moved with the gradients of a network that predicts nothing. The search must say so instead of
 * presenting the genotype as a result.
 *
 * With a validation split: the single-view accuracy must beat chance (1 / classes) by more than three
 * binomial standard errors of that many clips. Without one: the last epoch's training loss must be below
 * 0.9 ln(classes) (chance is ln(classes)).
 */
export interface SearchOutcome {
  classes: number;
  /** Last epoch's mean training loss. */
  trainLoss: number;
  /** Single-view validation accuracy after the last epoch, and the clips it was measured on. */
  val?: { acc: number; clips: number };
}

export interface SearchVerdict {
  informative: boolean;
  /** One sentence with the numbers. */
  reason: string;
}

export function searchVerdict(o: SearchOutcome): SearchVerdict {
  const chance = 1 / o.classes;
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  if (o.val && o.val.clips > 0) {
    const bar = chance + 3 * Math.sqrt((chance * (1 - chance)) / o.val.clips);
    const informative = o.val.acc > bar;
    return {
      informative,
      reason: `validation accuracy ${pct(o.val.acc)} on ${o.val.clips} clips against chance ${pct(chance)} (${informative ? 'above' : 'not above'} ${pct(bar)}, chance plus three standard errors)`,
    };
  }
  const bar = 0.9 * Math.log(o.classes);
  const informative = o.trainLoss < bar;
  return {
    informative,
    reason: `no validation split; last training loss ${o.trainLoss.toFixed(3)} against chance ln ${o.classes} = ${Math.log(o.classes).toFixed(3)} (${informative ? 'below' : 'not below'} ${bar.toFixed(3)})`,
  };
}
