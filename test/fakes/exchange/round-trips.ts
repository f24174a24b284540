// Order round trips per second through the ccxt adapter, ccxt's bingx class and the fake BingX on
// 127.0.0.1: each order is POSTed (signed), reaches the simulated venue, is accepted and fills, and
// keel hears the fill before the next one goes. Two ways of hearing it:
//  - `stream`: by the private websocket (ORDER_TRADE_UPDATE, then that order's fills read from
//    fillHistory by its id, and the positions), nothing polled;
//  - `poll`: the adapter polls once the venue changed (open orders, positions, fills), no websocket.
// No quote reads in between: the order's own path only.
//   npx tsx test/fakes/exchange/round-trips.ts [orders] [stream|poll]
// A measurement to print, never a test assertion.
import { ClientOrderId } from '../../../src/domain';
import { ccxtHarness } from '../../venues/conformance/ccxt-harness';
import { priceBook, Session, singleLeg } from '../../venues/conformance/session';

async function main(orders: number, how: 'stream' | 'poll'): Promise<void> {
  const stream = how === 'stream';
  const h = await ccxtHarness({ settlePolls: !stream, adapter: { stream, pollMs: 0 } });
  const s = await Session.open(h.venue);
  const r = await h.venue.resolveInstrument({ symbol: 'BTC-USDT' });
  if (!r.ok) throw new Error(r.reason);
  const book = priceBook(r.instrument);
  await h.setQuote(r.instrument.id, { bid: book.bid, ask: book.ask });
  while (stream && !h.venue.streamConnected) await new Promise((resolve) => setTimeout(resolve, 10));
  const requestsBefore = h.fake.requests.length;
  const started = process.hrtime.bigint();
  for (let n = 1; n <= orders; n++) {
    const side = n % 2 === 1 ? 'BUY' : 'SELL';
    const limit = side === 'BUY' ? book.marketableBuy : book.marketableSell;
    s.submit(
      singleLeg(ClientOrderId.of(`rt-o${n}`), r.instrument, side, r.instrument.lot, {
        limit,
        reduceOnly: side === 'SELL',
      }),
    );
    await h.advance(100); // the venue's 50 ms latency, then the fill
    while (s.of('fill').length < n) await new Promise((resolve) => setImmediate(resolve));
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const fills = s.of('fill').length;
  if (fills !== orders) throw new Error(`${fills} fills for ${orders} orders`);
  console.log(
    `${orders} orders, each accepted and filled over the wire, heard by ${stream ? 'the websocket' : 'polling'}: ${(orders / seconds).toFixed(0)} order round trips/s (${(
      (seconds / orders) *
      1000
    ).toFixed(
      2,
    )} ms each; ${h.fake.requests.length - requestsBefore} HTTP requests, ${h.fake.streamFrames.length} stream frames)`,
  );
  await s.close();
  await h.close();
}

void main(Number(process.argv[2] ?? 1_000), process.argv[3] === 'poll' ? 'poll' : 'stream');
