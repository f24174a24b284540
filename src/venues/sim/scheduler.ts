/** The simulator's event queue as the venue sees it: run `fn` at simulated time `t`. */
export interface SimScheduler {
  at(t: number, label: string, fn: () => void): void;
  now(): number;
}
