/** Shared argument parsers and output of the `pvnas` subcommands. */
import { InvalidArgumentError } from 'commander';

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + '\n');
}

/** A parser of an integer flag in [min, max]; its error names the flag and the range. */
export function intArg(name: string, min = 0, max = Number.MAX_SAFE_INTEGER) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be an integer ${max < Number.MAX_SAFE_INTEGER ? `in [${min}, ${max}]` : `>= ${min}`}, got "${v}"`);
    }
    return n;
  };
}

/** A parser of a positive number flag; its error names the flag. */
export function positiveNumber(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a positive number, got "${v}"`);
    return n;
  };
}
