// Types for the untyped npm pricing packages the pricing bench compares keel against.
declare module 'black-scholes' {
  export function blackScholes(
    s: number,
    k: number,
    t: number,
    v: number,
    r: number,
    callPut: string,
  ): number;
}

declare module 'greeks' {
  export function getDelta(s: number, k: number, t: number, v: number, r: number, callPut: string): number;
}

declare module 'implied-volatility' {
  export function getImpliedVolatility(
    expectedCost: number,
    s: number,
    k: number,
    t: number,
    r: number,
    callPut: string,
    estimate?: number,
  ): number;
}
