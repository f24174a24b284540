// Alpaca's error bodies and wire numbers in keel's terms: each refusal's typed reason, and what
// leaves an order's fate unclear (looked up before anything is resent).
import { describe, expect, it } from 'vitest';
import { errors } from '@alpacahq/alpaca-trade-api';
import { meaningOfCancelFailure, meaningOfFailure, reasonOf } from './errors';
import { isUuid, orderSchema, readAs, wirePrice, wireQty } from './wire';

const apiError = (status: number, code: number, message: string) =>
  new errors.ApiError(new Response(null, { status }), status, code, message);

describe('Alpaca refusals in keel terms', () => {
  it.each([
    [403, 40310000, 'insufficient buying power', 'refused'],
    [422, 40010001, 'client_order_id must be unique', 'duplicateId'],
    [
      422,
      42210000,
      'invalid limit_price 98.895. sub-penny increment does not fulfill minimum pricing criteria',
      'offTick',
    ],
    [422, 40010001, 'qty must be integer', 'offLot'],
    [422, 42210000, 'fractional orders are not supported for this asset', 'offLot'],
    [422, 42210000, 'asset "ZZZZ" not found', 'unknownInstrument'],
    [422, 42210000, 'asset XYZ is not tradable', 'unknownInstrument'],
    [422, 40010001, 'qty must be > 0', 'refused'],
  ] as const)('%i %i %s -> %s', (status, code, message, reason) => {
    expect(reasonOf(status, code, message)).toBe(reason);
    expect(meaningOfFailure(apiError(status, code, message))).toEqual({
      kind: 'refused',
      reason,
      code,
      message,
    });
  });

  it('429, 408 and 5xx, a failed fetch and a malformed body leave the order unclear', () => {
    for (const status of [429, 408, 500, 502, 503, 504])
      expect(meaningOfFailure(apiError(status, 50010000, 'x')).kind).toBe('ambiguous');
    expect(meaningOfFailure(new errors.FetchError(new Error('socket hang up'))).kind).toBe('ambiguous');
    expect(meaningOfFailure(new SyntaxError('Unexpected end of JSON input')).kind).toBe('ambiguous');
  });

  it('a cancel refused with 422 is notWorking; 404 is notFound', () => {
    expect(meaningOfCancelFailure(apiError(422, 42210000, 'order is already in "filled" state')).kind).toBe(
      'notWorking',
    );
    expect(meaningOfCancelFailure(apiError(404, 40410000, 'order not found')).kind).toBe('notFound');
  });
});

describe("Alpaca's wire numbers", () => {
  it('prices: cents at or above $1, four decimals below; quantities and ids', () => {
    expect([wirePrice(170.770000001), wirePrice(0.12345), wireQty(10.0000000001)]).toEqual([
      '170.77',
      '0.1235',
      '10',
    ]);
    expect(isUuid('904837e3-3b76-47ec-b432-046db621571b')).toBe(true);
    expect(isUuid('swing-20260105-1-o1')).toBe(false);
  });

  it('an order record missing a field or with a non-number quantity is a reason, never a guess', () => {
    const order = {
      id: 'o1',
      client_order_id: 'k-o1',
      symbol: 'PLTR',
      side: 'buy',
      type: 'limit',
      time_in_force: 'day',
      qty: '10',
      filled_qty: '0',
      limit_price: '170.77',
      status: 'new',
      created_at: '2026-01-02T14:45:00Z',
    };
    expect(readAs(orderSchema, order, 'order')).toMatchObject({
      qty: 10,
      filled_qty: 0,
      limit_price: 170.77,
    });
    expect(readAs(orderSchema, { ...order, qty: 'ten' }, 'order')).toMatch(/^order: qty/);
    expect(readAs(orderSchema, { ...order, status: 'teleported' }, 'order')).toMatch(/^order: status/);
  });
});
