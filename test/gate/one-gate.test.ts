// One gate for every order (DESIGN.md): a hidden bypass is a defect. The real checkOrder is
// wrapped to record every order it checks, and the simulated venue's submit to record every order
// keel sends. Each path that can send an order is driven (a strategy's open and its own exit, a
// scenario operator order with its protective orders, an HTTP order by inject and by the CLI's
// client, a flatten by scenario and by HTTP, the engine's unwind of a half-open condor, and the
// reconciliation after a crash); every order that reached the venue passed checkOrder just before.
// A static check adds that in src/ only the order manager calls a venue's submit.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildOperatorApi } from '../../src/app/api/operator-api';
import { freePort } from '../support/keel-process';
import { viaApi } from '../../src/app/commands/operator';
import { Engine } from '../../src/engine/engine';
import type * as Gate from '../../src/engine/pre-trade-gate';
import type { OperatorCommand } from '../../src/engine/operator';
import type { SimControl } from '../../src/sim/run';
import { runChecked, scenarioFromYaml } from '../support/run-scenario';
import { SimVenue } from '../../src/venues/sim/sim-venue';
import { gateYaml, keelOrders } from './gate-scenario';

type Mark =
  | { kind: 'gate'; id: string; passed: boolean; source: string; intent: string; group: string }
  | { kind: 'submit'; id: string }
  | { kind: 'reconcile'; edge: 'start' | 'end' };

const trail = vi.hoisted(() => [] as Mark[]);

vi.mock('../../src/engine/pre-trade-gate', async (importOriginal) => {
  const real = await importOriginal<typeof Gate>();
  return {
    ...real,
    checkOrder: (input: Gate.GateInput) => {
      const refused = real.checkOrder(input);
      const o = input.order;
      trail.push({
        kind: 'gate',
        id: o.clientOrderId,
        passed: refused === null,
        source: o.source,
        intent: o.intent,
        group: o.groupId,
      });
      return refused;
    },
  };
});

const realSubmit = SimVenue.prototype.submit;
const realReconcile = Engine.prototype.reconcile;

beforeAll(() => {
  SimVenue.prototype.submit = function (this: SimVenue, spec) {
    trail.push({ kind: 'submit', id: spec.clientOrderId });
    return realSubmit.call(this, spec);
  };
  Engine.prototype.reconcile = async function (this: Engine) {
    trail.push({ kind: 'reconcile', edge: 'start' });
    try {
      return await realReconcile.call(this);
    } finally {
      trail.push({ kind: 'reconcile', edge: 'end' });
    }
  };
});

afterAll(() => {
  SimVenue.prototype.submit = realSubmit;
  Engine.prototype.reconcile = realReconcile;
});

type Http = { readonly at: string; readonly send: (control: SimControl) => Promise<unknown> };

/**
 * Runs a scenario, giving HTTP commands while it runs: before the first simulated event at or
 * after `at`, the request goes out and the run waits until it reached the engine's queue.
 */
async function runWithHttp(yaml: string, http: readonly Http[] = []) {
  trail.length = 0;
  const live: { control: SimControl | null; reached: (() => void) | null } = { control: null, reached: null };
  const answers: Promise<unknown>[] = [];
  const pending = [...http];
  const run = await runChecked(scenarioFromYaml(yaml), {
    control: (c) => {
      live.control = {
        projection: () => c.projection(),
        operator: (cmd: OperatorCommand) => {
          live.reached?.();
          return c.operator(cmd);
        },
      };
    },
    pace: async (t) => {
      while (pending.length > 0 && live.control !== null && Date.parse(pending[0]?.at ?? '') <= t) {
        const next = pending.shift() as Http;
        const arrived = new Promise<void>((resolve) => (live.reached = resolve));
        answers.push(next.send(live.control));
        await arrived;
      }
    },
  });
  expect(pending).toEqual([]); // every HTTP command went out during the run
  return { run, answers: await Promise.all(answers), trail: [...trail] };
}

/** Every order at the venue passed checkOrder immediately before it was sent. */
function bypasses(marks: readonly Mark[], venueIds: readonly string[]): string[] {
  const found: string[] = [];
  marks.forEach((m, k) => {
    if (m.kind !== 'submit') return;
    const before = marks[k - 1];
    if (before?.kind !== 'gate' || before.id !== m.id || !before.passed)
      found.push(`${m.id} was sent without passing the gate just before`);
  });
  const submitted = new Set(marks.filter((m) => m.kind === 'submit').map((m) => m.id));
  for (const id of venueIds) if (!submitted.has(id)) found.push(`${id} reached the venue unseen`);
  return found;
}

function sent(marks: readonly Mark[]) {
  const submitted = new Set(marks.filter((m) => m.kind === 'submit').map((m) => m.id));
  return marks.filter(
    (m): m is Extract<Mark, { kind: 'gate' }> => m.kind === 'gate' && m.passed && submitted.has(m.id),
  );
}

function sentInsideReconcile(marks: readonly Mark[]): number {
  let depth = 0;
  let n = 0;
  for (const m of marks) {
    if (m.kind === 'reconcile') depth += m.edge === 'start' ? 1 : -1;
    else if (m.kind === 'submit' && depth > 0) n++;
  }
  return n;
}

const options = (name: string, combos: boolean, extra: string[]) =>
  [
    `name: ${name}`,
    'seed: 5',
    'clock: { start: "2026-02-13T09:30:00-05:00", end: "2026-02-13T16:15:00-05:00" }',
    'account: { equity: 1000000 }',
    'market:',
    '  - { symbol: XSP, kind: index, spot: 683.38, vol: 0.21, path: flat, stepSeconds: 5 }',
    `venue: { products: options, combos: ${combos}, latencyMs: 50 }`,
    'strategies:',
    '  - id: ic-0dte',
    '    kind: iron-condor-0dte',
    '    params: { underlying: XSP, strikes: { longPut: 671, shortPut: 672, shortCall: 692, longCall: 693 }, minCredit: 0.05, qty: 1, entryFrom: "09:45", entryUntil: "10:00", exitBy: "10:15" }',
    'risk: { maxPositionsPerDay: 3 }',
    ...extra,
  ].join('\n');

// The API as keel run serves it: its token and the Host it answers to.
const apiToken = 'c'.repeat(64);
const apiSecurity = { token: apiToken, hosts: ['127.0.0.1:7070'] };
const apiHeaders = { host: '127.0.0.1:7070', authorization: `Bearer ${apiToken}` };

describe('every order that reaches the venue passed the one gate first', () => {
  it('a strategy open and its exit, an HTTP order and flatten, and the reconciliation after a crash', async () => {
    const yaml = options('one-gate-strategy', true, [
      'faults:',
      '  - { at: "09:50", crashEngine: { restartAfter: 20 } }',
    ]);
    const post = (url: string, payload: object) => (c: SimControl) =>
      buildOperatorApi(c, apiSecurity).inject({ method: 'POST', url, payload, headers: apiHeaders });
    const {
      run,
      answers,
      trail: marks,
    } = await runWithHttp(yaml, [
      {
        at: '2026-02-13T10:30:00-05:00',
        send: post('/order', {
          side: 'BUY',
          qty: 1,
          symbol: 'XSP',
          expiry: '2026-02-13',
          strike: 690,
          right: 'C',
          type: 'MKT',
        }),
      },
      { at: '2026-02-13T11:00:00-05:00', send: post('/flatten', { group: 'operator-20260213-1' }) },
    ]);
    expect(run.verdict.violations).toEqual([]);
    expect(answers.map((a) => (a as { statusCode: number }).statusCode)).toEqual([200, 200]);
    expect(run.stats.crashes).toBe(1);
    const venueIds = keelOrders(run.venueLog).map((o) => o.clientOrderId ?? '');
    expect(bypasses(marks, venueIds)).toEqual([]);
    const paths = new Set(sent(marks).map((m) => `${m.source} ${m.intent} ${m.group.replace(/-\d+$/, '')}`));
    expect([...paths].sort()).toEqual([
      'operator close operator-20260213', // the HTTP flatten
      'operator open operator-20260213', // the HTTP order
      'strategy close ic-0dte-20260213', // the strategy's own time exit
      'strategy open ic-0dte-20260213',
    ]);
    // Start-up and restart reconciliations ran; they cancel, they send no order.
    expect(marks.filter((m) => m.kind === 'reconcile' && m.edge === 'start').length).toBeGreaterThanOrEqual(
      2,
    );
    expect(sentInsideReconcile(marks)).toBe(0);
  });

  it('scenario operator orders with protective orders, --fit, a flatten, and the CLI client', async () => {
    const yaml = gateYaml({
      name: 'one-gate-operator',
      operator: [
        "{ at: '09:45', action: order, symbol: PLTR, side: BUY, qty: 61, type: LMT, limit: 170.77, stop: 163 }",
        "{ at: '09:50', action: order, symbol: TSLA, side: BUY, qty: 76, type: LMT, limit: 443.18, fit: true }",
        "{ at: '15:00', action: flatten, group: operator-20260102-1 }",
      ],
    });
    const cli = async (c: SimControl) => {
      const port = await freePort();
      const app = buildOperatorApi(c, { token: apiToken, hosts: [`127.0.0.1:${port}`] });
      const url = await app.listen({ host: '127.0.0.1', port });
      const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
      process.env['KEEL_API_TOKEN'] = apiToken; // the CLI's way to a token it did not find beside a journal
      try {
        return await viaApi(url, '/flatten', { group: 'operator-20260102-2' }, 'flatten');
      } finally {
        delete process.env['KEEL_API_TOKEN'];
        out.mockRestore();
        await app.close();
      }
    };
    const {
      run,
      answers,
      trail: marks,
    } = await runWithHttp(yaml, [{ at: '2026-01-02T15:30:00-05:00', send: cli }]);
    expect(run.verdict.violations).toEqual([]);
    expect(answers).toEqual([0]); // the CLI's exit code: the engine did it
    const venueIds = keelOrders(run.venueLog).map((o) => o.clientOrderId ?? '');
    expect(bypasses(marks, venueIds)).toEqual([]);
    const intents = sent(marks).map((m) => `${m.group} ${m.intent}`);
    expect(new Set(intents)).toEqual(
      new Set([
        'operator-20260102-1 open',
        'operator-20260102-1 protect', // the stop and its 2R target
        'operator-20260102-1 close', // the scenario flatten
        'operator-20260102-2 open', // fitted to 23
        'operator-20260102-2 close', // the CLI flatten
      ]),
    );
  });

  it("the engine's own unwind of a half-open condor goes through the gate", async () => {
    const yaml = options('one-gate-unwind', false, [
      'faults:',
      '  - { match: { side: SELL, intent: open, nth: 1 }, reject: { code: 201, message: "short sale not allowed" } }',
    ]);
    const { run, trail: marks } = await runWithHttp(yaml);
    const venueIds = keelOrders(run.venueLog).map((o) => o.clientOrderId ?? '');
    expect(bypasses(marks, venueIds)).toEqual([]);
    const unwound = run.report.groups.find((g) => (g.exitReason ?? '').includes('unwinding'));
    expect(unwound).toBeDefined();
    const closes = sent(marks).filter((m) => m.group === unwound?.id && m.intent === 'close');
    expect(closes.length).toBeGreaterThan(0);
  });
});

describe('static: only the order manager calls a venue submit', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
    );

  it('no other file under src/ (tests aside) calls .submit( or reaches submit another way', () => {
    const calls: string[] = [];
    for (const file of files('src')) {
      if (file.endsWith('.test.ts')) continue; // tests drive venues directly
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, k) => {
          const code = line.replace(/\/\/.*$/, '');
          if (
            /\.submit\s*\(|\[\s*['"`]submit['"`]\s*\]|\{\s*submit\s*[,}]|\.submit\s*\.\s*(call|apply|bind)\b/.test(
              code,
            )
          )
            calls.push(`${file}:${k + 1}: ${line.trim()}`);
        });
    }
    // The command outbox relays, after the journal commit, exactly what the order manager
    // submitted to it (test/engine/write-ahead-host.test.ts): it is the order manager's send, later.
    expect(calls).toEqual([
      'src/engine/command-outbox.ts:' + relayLine() + ': return venue.submit(command.order);',
      'src/engine/order-manager.ts:' + submitLine() + ': this.core.venue.submit(order);',
    ]);
  });

  it('in the order manager, the submit comes after the gate and the journaled intent', () => {
    const text = readFileSync('src/engine/order-manager.ts', 'utf8');
    const send = text.slice(
      text.indexOf('  send(order: OrderIntent)'),
      text.indexOf('\n  }\n', text.indexOf('  send(order: OrderIntent)')),
    );
    const gate = send.indexOf('this.gate(order)');
    const refusedReturn = send.indexOf('if (refused) return refused;');
    const intent = send.indexOf("record('order.intent'");
    const submit = send.indexOf('venue.submit(order)');
    expect(gate).toBeGreaterThan(0);
    expect([gate < refusedReturn, refusedReturn < intent, intent < submit]).toEqual([true, true, true]);
  });
});

function submitLine(): number {
  return (
    readFileSync('src/engine/order-manager.ts', 'utf8')
      .split('\n')
      .findIndex((l) => l.includes('.submit(')) + 1
  );
}

function relayLine(): number {
  return (
    readFileSync('src/engine/command-outbox.ts', 'utf8')
      .split('\n')
      .findIndex((l) => l.includes('return venue.submit(command.order);')) + 1
  );
}
