// Order round trips per second through the alpaca adapter, @alpacahq/alpaca-trade-api and the fake
// Alpaca on 127.0.0.1: each order is POSTed, reaches the simulated venue, is accepted and fills, and
// its `new` and `fill` trade updates come back over the websocket before the next one goes (no
// quote reads in between: the order's own path only).
//   npx tsx test/fakes/alpaca/round-trips.ts [orders]
// A measurement to print, never a test assertion.
import { ClientOrderId } from '../../../src/domain';
import { alpacaHarness } from '../../venues/conformance/alpaca-harness';
import { priceBook, Session, singleLeg } from '../../venues/conformance/session';

async function main(orders: number): Promise<void> {
  const h = await alpacaHarness({ readQuotes: false });
  const s = await Session.open(h.venue);
  const r = await h.venue.resolveInstrument({ symbol: 'SPY' });
  if (!r.ok) throw new Error(r.reason);
  const book = priceBook(r.instrument);
  await h.setQuote(r.instrument.id, { bid: book.bid, ask: book.ask });
  const started = process.hrtime.bigint();
  for (let n = 1; n <= orders; n++) {
    const side = n % 2 === 1 ? 'BUY' : 'SELL';
    const limit = side === 'BUY' ? book.marketableBuy : book.marketableSell;
    s.submit(singleLeg(ClientOrderId.of(`rt-o${n}`), r.instrument, side, 1, { limit }));
    await h.advance(100); // the venue's 50 ms latency, then the fill
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const fills = s.of('fill').length;
  if (fills !== orders) throw new Error(`${fills} fills for ${orders} orders`);
  console.log(
    `${orders} orders, each accepted and filled over the wire: ${(orders / seconds).toFixed(0)} order round trips/s (${(
      (seconds / orders) *
      1000
    ).toFixed(2)} ms each; ${h.fake.requests.length} HTTP requests)`,
  );
  await s.close();
  await h.close();
}

void main(Number(process.argv[2] ?? 1_000));
