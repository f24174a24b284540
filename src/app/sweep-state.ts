// A sweep's saved place (sweep-state.json in its out directory): the next seed to run and the
// tally so far, rewritten every few seconds and at the end, so `--resume` continues a sweep that
// was stopped (Ctrl-C, a reboot) without running its finished seeds again.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SweepTally, type SweepTallyJson } from '../sim/sweep';

const sweepStateFile = 'sweep-state.json';
const writeEveryMs = 2_000;

type Saved = {
  readonly version: 1;
  readonly seeds: { readonly from: number; readonly to: number };
  readonly through: string | null;
  readonly next: number;
  readonly tally: SweepTallyJson;
};

export class SweepState {
  private lastWrite = Date.now();
  readonly file: string;

  constructor(
    dir: string,
    private readonly seeds: { from: number; to: number },
    private readonly through: string | null,
  ) {
    this.file = join(dir, sweepStateFile);
  }

  due(): boolean {
    return Date.now() - this.lastWrite >= writeEveryMs;
  }

  write(next: number, tally: SweepTally): void {
    const saved: Saved = {
      version: 1,
      seeds: this.seeds,
      through: this.through,
      next,
      tally: tally.toJSON(),
    };
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(saved) + '\n');
    renameSync(tmp, this.file); // never half a file, even if the machine stops mid-write
    this.lastWrite = Date.now();
  }

  read(): { ok: true; next: number; tally: SweepTally } | { ok: false; error: string } {
    if (!existsSync(this.file))
      return {
        ok: false,
        error: `no ${this.file}: start the sweep without --resume (same --seeds and --out)`,
      };
    let saved: Saved;
    try {
      saved = JSON.parse(readFileSync(this.file, 'utf8')) as Saved;
    } catch (e) {
      return {
        ok: false,
        error: `${this.file} is not readable JSON (${String(e)}): delete it and start again`,
      };
    }
    if (saved.version !== 1 || saved.seeds.from !== this.seeds.from || saved.seeds.to !== this.seeds.to)
      return {
        ok: false,
        error: `${this.file} is a sweep of seeds ${saved.seeds.from}..${saved.seeds.to}, not ${this.seeds.from}..${this.seeds.to}: give the same --seeds, or another --out`,
      };
    if (saved.through !== this.through)
      return {
        ok: false,
        error: `${this.file} ran ${saved.through === null ? 'in-process' : `--through ${saved.through}`}: resume it the same way`,
      };
    return { ok: true, next: saved.next, tally: SweepTally.fromJSON(saved.tally) };
  }
}
