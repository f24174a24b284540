// keel check DIR: the invariant checker over a finished run's venue log and report.
import { check, formatVerdict, readRun, RunReadError } from '../../sim/check';

export async function checkCommand(dir: string, opts: { json?: boolean }): Promise<number> {
  try {
    const input = await readRun(dir);
    const result = check(input, { converged: true });
    process.stdout.write(opts.json ? JSON.stringify(result, null, 2) + '\n' : formatVerdict(result) + '\n');
    return result.ok ? 0 : 1;
  } catch (e) {
    if (e instanceof RunReadError) {
      process.stderr.write(`keel check: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
