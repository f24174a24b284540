// A real PostgreSQL server for the journal tests: KEEL_TEST_PG_URL (default the machine's
// postgres://postgres@127.0.0.1:5432/test). Each test file gets a database of its own, dropped at
// the end. With no server the PostgreSQL cases say how to point at one; under CI they fail instead
// of skipping, so a green CI run always means the PostgreSQL journal was tested.
import { randomUUID } from 'node:crypto';
import pg from 'pg';

export const adminUrl = process.env['KEEL_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

export type PostgresFixture = {
  /** A journal address in this file's database; a fresh journal name unless one is given. */
  url(journal?: string): string;
  /** Runs SQL in this file's database (to break things on purpose). */
  sql(text: string, values?: unknown[]): Promise<pg.QueryResult>;
  /** A second database of the file's, for foreign tables. */
  otherDatabaseUrl(journal: string): string;
  drop(): Promise<void>;
};

export async function postgresAvailable(): Promise<string | null> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (e) {
    const why = `no PostgreSQL at ${adminUrl} (${e instanceof Error ? e.message : String(e)}): start one, or set KEEL_TEST_PG_URL=postgres://user@host:port/db to a server where that user may create databases`;
    if (process.env['CI'] !== undefined && process.env['CI'] !== '' && process.env['CI'] !== 'false')
      throw new Error(`${why}. CI runs the PostgreSQL journal tests; they never skip there.`, { cause: e });
    return why;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function withDatabase(url: string, database: string, journal: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  u.searchParams.set('journal', journal);
  return u.toString();
}

export async function postgresFixture(): Promise<PostgresFixture> {
  const id = randomUUID().replaceAll('-', '').slice(0, 12);
  const main = `keel_test_${id}`;
  const other = `keel_other_${id}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${main}`);
  await admin.query(`CREATE DATABASE ${other}`);
  await admin.end();
  const pool = new pg.Pool({
    connectionString: withDatabase(adminUrl, main, 'x').replace(/\?.*$/, ''),
    max: 2,
  });
  let n = 0;
  return {
    url: (journal) => withDatabase(adminUrl, main, journal ?? `j${++n}`),
    sql: (text, values) => pool.query(text, values),
    otherDatabaseUrl: (journal) => withDatabase(adminUrl, other, journal),
    async drop() {
      await pool.end();
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${main} WITH (FORCE)`);
      await c.query(`DROP DATABASE IF EXISTS ${other} WITH (FORCE)`);
      await c.end();
    },
  };
}
