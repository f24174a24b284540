// BingX's JSON carries 19-digit order ids as bare numbers in its order endpoints. JSON.stringify
// cannot write a number it cannot hold, so the fake marks such a number as RawNumber and writes
// its digits unquoted. Compact JSON (no space after a colon), as BingX sends it.
export class RawNumber {
  constructor(readonly digits: string) {
    if (!/^-?\d+$/.test(digits)) throw new Error(`RawNumber: ${digits} is not an integer`);
  }
}

const marker = '\u0000raw:';

export function bingxJson(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) =>
    v instanceof RawNumber ? `${marker}${v.digits}` : v,
  );
  return text.replace(/"\\u0000raw:(-?\d+)"/g, '$1');
}
