// Trader-readable numbers for reasons and refusals: "$10,500", "47.3%", "$170.77".
import type { Ratio } from './exact';
import { abs, mul, ratioInt } from './exact';

function roundHalfUp(a: Ratio, decimals: number): bigint {
  const scaled = mul(abs(a), ratioInt(10n ** BigInt(decimals)));
  return (scaled.n * 2n + scaled.d) / (2n * scaled.d);
}

function grouped(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function fixed(a: Ratio, decimals: number): string {
  const r = roundHalfUp(a, decimals)
    .toString()
    .padStart(decimals + 1, '0');
  const sign = a.n < 0n && /[1-9]/.test(r) ? '-' : '';
  const int = r.slice(0, r.length - decimals);
  return sign + grouped(int) + (decimals > 0 ? `.${r.slice(r.length - decimals)}` : '');
}

/** "$10,500" (whole dollars) or "$170.77" (cents). */
export function usd(a: Ratio, decimals: 0 | 2 = 0): string {
  const text = fixed(a, decimals);
  return text.startsWith('-') ? `-$${text.slice(1)}` : `$${text}`;
}

/** A fraction as a percentage with at most `decimals` places, trailing zeros dropped: "10%", "6.67%". */
export function pct(a: Ratio, decimals = 2): string {
  const text = fixed(mul(a, ratioInt(100)), decimals);
  return `${decimals > 0 ? text.replace(/\.?0+$/, '') : text}%`;
}

/** A plain decimal with at most `decimals` places, trailing zeros dropped: "170.77", "61". */
export function plain(a: Ratio, decimals = 8): string {
  const text = fixed(a, decimals).replace(/,/g, '');
  return decimals > 0 && text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}
