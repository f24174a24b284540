// Two engines, one account, one PostgreSQL journal (the machine's real server): the split-brain
// version of the incidents. Engine A trades; engine B waits and says who holds the account. A is
// frozen (kill -STOP) past its lease; B takes over, replays A's journal, reconciles with the account
// and trades. A wakes up (kill -CONT): the database refuses its writes, so it sends nothing more to
// the broker, and it stops saying why.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paperTws, type PaperTws } from '../fakes/tws/paper-tws';
import { apiOrder, apiStatus, freePort, keel, paperIbkrConfig, until } from '../support/keel-process';
import { postgresAvailable, postgresFixture, type PostgresFixture } from '../support/postgres-fixture';

const dir = mkdtempSync(join(tmpdir(), 'keel-failover-'));
const pgMissing = await postgresAvailable();
let pgDb: PostgresFixture | null = null;
let tws: PaperTws;

beforeAll(async () => {
  tws = await paperTws([{ symbol: 'PLTR', bid: 170.7, ask: 170.8 }]);
  if (pgMissing === null) pgDb = await postgresFixture();
});
afterAll(async () => {
  await tws.stop();
  await pgDb?.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** What keel owns of PLTR over all its groups. */
const ownedPltr = async (api: number) =>
  (await apiStatus(api)).groups
    .flatMap((g) => g.legs)
    .filter((l) => l.instrument === 'PLTR')
    .reduce((sum, l) => sum + l.owned, 0);

describe.skipIf(pgMissing !== null)(
  `failover between two engines on one account${pgMissing ? ` (skipped: ${pgMissing})` : ''}`,
  () => {
    it('the frozen holder is fenced: the second engine takes over, and the first sends nothing when it wakes', async () => {
      const journal = (pgDb as PostgresFixture).url('ibkr-DU0000001');
      const [apiA, apiB] = [await freePort(), await freePort()];
      const a = keel(
        'run',
        paperIbkrConfig(dir, tws.port, 21),
        '--journal',
        journal,
        '--api',
        String(apiA),
        '--out',
        join(dir, 'a'),
        '--lease-ttl',
        '3s',
      );
      await until('engine A to start', () => a.err().includes('engine started'));
      expect(a.err()).toMatch(/took the account lease \(fencing token 1/);
      expect((await apiOrder(apiA, { side: 'BUY', qty: 10, symbol: 'PLTR', limit: 170.8 })).ok).toBe(true);
      await until('A to own the fill', async () => (await ownedPltr(apiA)) === 10);

      const b = keel(
        'run',
        paperIbkrConfig(dir, tws.port, 22),
        '--journal',
        journal,
        '--api',
        String(apiB),
        '--out',
        join(dir, 'b'),
        '--lease-ttl',
        '3s',
      );
      await until('B to say who holds the account', () =>
        /the account is traded by keel run paper-ibkr \(pid \d+/.test(b.err()),
      );
      expect(b.err()).not.toMatch(/engine started/);
      const status = keel('status', '--journal', journal);
      expect(await status.exit, status.err()).toBe(0);
      expect(status.out()).toMatch(/account lease: keel run paper-ibkr \(pid \d+ on .*\) \(token 1\)/);

      a.kill('SIGSTOP');
      await until('B to take over', () => b.err().includes('engine started'), 30_000);
      expect(b.err()).toMatch(/took the account lease \(fencing token 2/);
      // B continues A's journal: the 10 PLTR are keel's, and the account agrees.
      expect(await ownedPltr(apiB)).toBe(10);
      expect((await apiStatus(apiB)).discrepancies).toEqual([]);

      const placedByA = () => tws.fake.ordersPlaced().filter((o) => o.clientId === 21).length;
      const beforeWake = placedByA();
      // An order reaches A while it is frozen; it is handled when A wakes, and must never go out.
      const late = apiOrder(apiA, { side: 'BUY', qty: 5, symbol: 'PLTR', limit: 170.8 }).catch(() => null);
      a.kill('SIGCONT');
      expect(await a.exit, a.err()).toBe(3);
      expect(a.err()).toMatch(
        /STOPPING: (another engine took the account lease over|the journal refused this engine's writes)/,
      );
      await late;
      expect(placedByA()).toBe(beforeWake);

      // B trades on: its order goes out from its own client id and fills.
      expect((await apiOrder(apiB, { side: 'BUY', qty: 2, symbol: 'PLTR', limit: 170.8 })).ok).toBe(true);
      await until('B to own the new fill too', async () => (await ownedPltr(apiB)) === 12);
      expect(tws.fake.ordersPlaced().filter((o) => o.clientId === 22)).toHaveLength(1);
      b.kill('SIGINT');
      expect(await b.exit, b.err()).toBe(130);
    }, 90_000);
  },
);
