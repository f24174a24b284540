// keel size: the dual-cap position size (risk at the stop and notional), the lesser wins; rounded
// down to the lot so no cap is ever exceeded (2026-01-02: 62 shares would have broken its own cap).
import { RiskInputError, sizePosition } from '../../risk';

export type SizeOptions = {
  side: string;
  entry: string;
  stop: string;
  equity: string;
  riskPct: string;
  notionalPct: string;
  multiplier: string;
  lot: string;
  confidence: string;
  json?: boolean;
};

export function sizeCommand(opts: SizeOptions): number {
  const side = { buy: 'long', sell: 'short' }[opts.side.toLowerCase()] as 'long' | 'short' | undefined;
  if (side === undefined) {
    process.stderr.write(`keel size: --side takes buy or sell, got ${JSON.stringify(opts.side)}\n`);
    return 2;
  }
  const fields: [keyof SizeOptions, string][] = [
    ['entry', opts.entry],
    ['stop', opts.stop],
    ['equity', opts.equity],
    ['riskPct', opts.riskPct],
    ['notionalPct', opts.notionalPct],
    ['multiplier', opts.multiplier],
    ['lot', opts.lot],
    ['confidence', opts.confidence],
  ];
  const n: Record<string, number> = {};
  for (const [name, text] of fields) {
    const v = Number(text);
    if (!Number.isFinite(v)) {
      process.stderr.write(`keel size: --${flag(name)} must be a number, got ${JSON.stringify(text)}\n`);
      return 2;
    }
    n[name] = v;
  }
  try {
    const size = sizePosition({
      equity: n['equity'] as number,
      entry: n['entry'] as number,
      stop: n['stop'] as number,
      riskPct: n['riskPct'] as number,
      notionalPct: n['notionalPct'] as number,
      multiplier: n['multiplier'] as number,
      lot: n['lot'] as number,
      riskMultiplier: n['confidence'] as number,
      side,
    });
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(size, null, 2)}\n`);
      return 0;
    }
    const bound = {
      risk: 'the risk cap',
      notional: 'the notional cap',
      both: 'both caps',
      zero: 'no cap allows one lot',
    }[size.bound];
    process.stdout.write(
      [
        `shares    ${size.qty} (${side === 'long' ? 'buy' : 'sell short'})`,
        `notional  $${size.notional.toFixed(2)} (${((size.notional / (n['equity'] as number)) * 100).toFixed(2)}% of equity)`,
        `risk      $${size.riskDollars.toFixed(2)} at the stop ${opts.stop}`,
        `bound by  ${bound}: by risk ${size.byRisk}, by notional ${size.byNotional}`,
        size.reason,
        '',
      ].join('\n'),
    );
    return 0;
  } catch (e) {
    if (e instanceof RiskInputError) {
      process.stderr.write(`keel size: ${e.message.replace(/^sizePosition: /, '--')}\n`);
      return 2;
    }
    throw e;
  }
}

function flag(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
