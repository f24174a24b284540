// Progress on a terminal (a bar redrawn in place); plain lines when not a TTY.
import { formatIso, type TimeZone } from '../domain';

const barWidth = 30;
const plainEveryFraction = 0.1;

export class Progress {
  private readonly tty = process.stderr.isTTY === true;
  private lastPlain = -1;

  constructor(private readonly title: string) {}

  update(fraction: number, t: number, timeZone: TimeZone): void {
    const clamped = Math.max(0, Math.min(1, fraction));
    const time = formatIso(t, timeZone).slice(11, 16);
    if (this.tty) {
      const filled = Math.round(clamped * barWidth);
      process.stderr.write(
        `\r${this.title} [${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ${(clamped * 100).toFixed(0).padStart(3)}% ${time}`,
      );
      return;
    }
    const bucket = Math.floor(clamped / plainEveryFraction);
    if (bucket > this.lastPlain) {
      this.lastPlain = bucket;
      process.stderr.write(`${this.title}: ${(bucket * plainEveryFraction * 100).toFixed(0)}% (${time})\n`);
    }
  }

  line(text: string): void {
    if (this.tty) process.stderr.write('\r\x1b[K');
    process.stderr.write(`${text}\n`);
  }

  done(): void {
    if (this.tty) process.stderr.write('\n');
  }
}
