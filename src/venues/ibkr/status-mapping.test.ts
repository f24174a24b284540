// IB order statuses and error codes, one step at a time: duplicates change nothing, Cancelled
// before acceptance is a rejection, PendingSubmit is not an end, every code has a meaning.
import { describe, expect, it } from 'vitest';
import { meaningOf } from './errors';
import {
  ibOrderStatuses,
  newOrderLife,
  onExecution,
  onReject,
  onStatus,
  type IbOrderStatus,
  type OrderLife,
} from './status-mapping';

function run(statuses: IbOrderStatus[], life: OrderLife = newOrderLife) {
  const said: string[] = [];
  for (const s of statuses) {
    const step = onStatus(life, s, 3);
    life = step.life;
    if (step.accept) said.push('accepted');
    if (step.ended)
      said.push(step.ended.kind === 'cancelled' ? `cancelled:${step.ended.reason}` : step.ended.kind);
  }
  return { said, life };
}

describe('ibkr order statuses', () => {
  it('knows every status TWS sends', () => {
    expect(ibOrderStatuses).toEqual([
      'ApiPending',
      'PendingSubmit',
      'PreSubmitted',
      'Submitted',
      'PendingCancel',
      'Cancelled',
      'ApiCancelled',
      'Filled',
      'Inactive',
    ]);
  });

  it('duplicate status messages are one acceptance; a repeated Cancelled is one end', () => {
    expect(run(['PendingSubmit', 'PendingSubmit', 'Submitted', 'Submitted', 'PreSubmitted']).said).toEqual([
      'accepted',
    ]);
    const life = { ...newOrderLife, cancelRequested: true };
    expect(run(['Submitted', 'PendingCancel', 'Cancelled', 'Cancelled', 'ApiCancelled'], life).said).toEqual([
      'accepted',
      'cancelled:requested',
    ]);
  });

  it('PendingSubmit, ApiPending and Inactive end nothing: a pending order that fills minutes later is a fill', () => {
    const { said, life } = run(['ApiPending', 'PendingSubmit', 'Inactive', 'PendingSubmit']);
    expect(said).toEqual([]);
    expect(onExecution(life).accept).toBe(true);
  });

  it('Cancelled before it ever worked, keel not having asked, is a rejection with the last error', () => {
    const withError = { ...newOrderLife, lastError: { code: 201, message: 'No trading permissions' } };
    const step = onStatus(withError, 'Cancelled', 1);
    expect(step.ended).toEqual({ kind: 'rejected', code: 201, message: 'No trading permissions' });
  });

  it('an accepted order cancelled by the venue: expired by its words, else venue', () => {
    const accepted = run(['Submitted']).life;
    const eod = { ...accepted, lastError: { code: 202, message: 'Order Canceled - reason:end of day' } };
    expect(onStatus(eod, 'Cancelled', 2).ended).toMatchObject({
      kind: 'cancelled',
      reason: 'expired',
      remainingQty: 2,
    });
    const oca = { ...accepted, lastError: { code: 202, message: 'Order Canceled - reason:OCA group' } };
    expect(onStatus(oca, 'Cancelled', 2).ended).toMatchObject({ kind: 'cancelled', reason: 'venue' });
  });

  it('a rejection after an end changes nothing', () => {
    const ended = onReject(newOrderLife, 201, 'no').life;
    expect(onReject(ended, 201, 'again').ended).toBeNull();
    expect(onStatus(ended, 'Cancelled', 0).ended).toBeNull();
  });
});

describe('ibkr error codes', () => {
  it('maps the incidents codes to typed meanings, and never drops one', () => {
    expect(meaningOf(201, 'order')).toEqual({ kind: 'reject', reason: 'refused' });
    expect(meaningOf(202, 'order')).toEqual({ kind: 'orderCancelled' });
    expect(meaningOf(103, 'order')).toEqual({ kind: 'reject', reason: 'duplicateId' });
    expect(meaningOf(110, 'order')).toEqual({ kind: 'reject', reason: 'offTick' });
    expect(meaningOf(200, 'order')).toEqual({ kind: 'reject', reason: 'unknownInstrument' });
    expect(meaningOf(10349, 'order')).toEqual({ kind: 'info' });
    expect(meaningOf(1100)).toEqual({ kind: 'linkDown' });
    expect(meaningOf(1100, 'order')).toEqual({ kind: 'reject', reason: 'notSent' });
    expect(meaningOf(1100, 'cancel')).toEqual({ kind: 'cancelReject', reason: 'notSent' });
    expect(meaningOf(1101)).toEqual({ kind: 'linkUp', dataLost: true });
    expect(meaningOf(1102)).toEqual({ kind: 'linkUp', dataLost: false });
    expect(meaningOf(10148, 'cancel')).toEqual({ kind: 'cancelReject', reason: 'notWorking' });
    expect(meaningOf(10147, 'cancel')).toEqual({ kind: 'cancelReject', reason: 'unknownOrder' });
    for (const code of [2100, 2104, 2106, 2158, 2999]) expect(meaningOf(code)).toEqual({ kind: 'info' });
    expect(meaningOf(505)).toEqual({ kind: 'undecodable' });
    expect(meaningOf(506).kind).toBe('session');
    expect(meaningOf(4242, 'order')).toEqual({ kind: 'unknown' });
  });
});
