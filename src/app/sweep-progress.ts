// The sweep's progress on stderr: seeds done, events/s and the time left. On a terminal one line
// redrawn in place; otherwise (a log file, CI) a line every ten seconds.
const lineEveryMs = 10_000;
const redrawEveryMs = 200;

export class SweepProgress {
  private readonly started = Date.now();
  private lastDrawn = 0;
  private drawn = false;
  private runs: number;
  private events: number;

  /** `runsBefore` / `eventsBefore`: what a resumed sweep had done already (not this run's rate). */
  constructor(
    private readonly total: number,
    private readonly runsBefore: number,
    private readonly eventsBefore: number,
    private readonly quiet: boolean,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {
    this.runs = runsBefore;
    this.events = eventsBefore;
  }

  update(runs: number, events: number): void {
    this.runs = runs;
    this.events = events;
    if (this.quiet) return;
    const now = Date.now();
    const tty = this.out.isTTY === true;
    if (now - this.lastDrawn < (tty ? redrawEveryMs : lineEveryMs) && runs < this.total) return;
    this.lastDrawn = now;
    if (tty) {
      this.out.write(`\r\x1b[K${this.text(now)}`);
      this.drawn = true;
    } else this.out.write(`${this.text(now)}\n`);
  }

  /** Clears the redrawn line before other output (terminal only). */
  clearLine(): void {
    if (this.drawn) this.out.write('\r\x1b[K');
    this.drawn = false;
  }

  /** ", 41,233 events/s over 52.1 s": this run's rate, for the closing line. */
  rateText(): string {
    const sec = (Date.now() - this.started) / 1000;
    return sec > 0 ? `, ${this.rate(sec)} events/s over ${sec.toFixed(1)} s` : '';
  }

  private rate(sec: number): string {
    return Math.round((this.events - this.eventsBefore) / Math.max(sec, 0.001)).toLocaleString('en-US');
  }

  private text(now: number): string {
    const sec = Math.max(0.001, (now - this.started) / 1000);
    const doneHere = this.runs - this.runsBefore;
    const eta = doneHere > 0 ? duration((sec / doneHere) * (this.total - this.runs)) : '?';
    const width = 24;
    const filled = Math.round((this.runs / this.total) * width);
    const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
    const pct = ((100 * this.runs) / this.total).toFixed(1);
    return `[${bar}] ${this.runs}/${this.total} seeds (${pct}%) · ${this.rate(sec)} events/s · ETA ${eta}`;
  }
}

function duration(sec: number): string {
  if (sec < 60) return `${Math.round(sec)}s`;
  if (sec < 3600) return `${Math.floor(sec / 60)}m${String(Math.round(sec % 60)).padStart(2, '0')}s`;
  return `${Math.floor(sec / 3600)}h${String(Math.floor((sec % 3600) / 60)).padStart(2, '0')}m`;
}
