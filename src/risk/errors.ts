// Bad inputs to the risk functions are configuration or programmer errors: they throw, naming the
// field, what is wrong with it and how to fix it, so the operator who reads it can act.
export class RiskInputError extends Error {
  override readonly name = 'RiskInputError';
  readonly fn: string;
  readonly field: string;
  readonly value: unknown;
  readonly fix: string;

  constructor(args: { fn: string; field: string; value: unknown; problem: string; fix: string }) {
    super(`${args.fn}: ${args.field} ${args.problem} (got ${String(args.value)}). Fix: ${args.fix}`);
    this.fn = args.fn;
    this.field = args.field;
    this.value = args.value;
    this.fix = args.fix;
  }
}

/** A finite number > 0. */
export function requirePositive(fn: string, field: string, value: number, fix: string): void {
  if (!Number.isFinite(value) || value <= 0) {
    throw new RiskInputError({ fn, field, value, problem: 'must be a finite number > 0', fix });
  }
}

/** A fraction of equity in (0, 1]: 0.02 means 2%. */
export function requirePct(fn: string, field: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0 || value > 1) {
    throw new RiskInputError({
      fn,
      field,
      value,
      problem: 'must be a fraction of equity in (0, 1]',
      fix: `write percentages as fractions (2% is 0.02, 10% is 0.10); a value above 1 would allow more than the whole account`,
    });
  }
}

/** A whole number >= 1. */
export function requireCount(fn: string, field: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RiskInputError({
      fn,
      field,
      value,
      problem: 'must be a whole number >= 1',
      fix: 'use a count such as 2',
    });
  }
}
