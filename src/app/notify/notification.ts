// Which journal events are alerts, and what they say. Pure: the same events give the same
// notifications, so a simulated run records exactly what a live one would send. Nothing here can
// carry a secret: the journal holds none (credentials live only in the environment).
import {
  describeInstrument,
  formatIso,
  type Instrument,
  type OrderIntentKind,
  type TimeZone,
} from '../../domain';
import type { NotifyKind } from './config';

export type Notification = {
  readonly kind: NotifyKind;
  /** Exchange time with its offset. */
  readonly t: string;
  /** The run (the config's name). */
  readonly run: string;
  /** One line: what happened. */
  readonly title: string;
  /** The detail a trader acts on. */
  readonly text: string;
  /** Keel's own fields (ids, state, rule), for a program reading the generic JSON. */
  readonly data: Readonly<Record<string, string | number | boolean | null>>;
};

type Appended = { readonly type: string; readonly t: number; readonly data: unknown };

/** Reads the engine's journal as it is written and says which events are alerts. */
export class NotificationSource {
  private readonly instruments = new Map<string, Instrument>();
  private readonly intents = new Map<string, { intent: OrderIntentKind; group: string; strategy: string }>();
  private state = 'ACTIVE';

  constructor(
    private readonly run: string,
    private readonly zone: TimeZone,
  ) {}

  /** The notification an appended event makes, or null. */
  next(event: Appended): Notification | null {
    const d = event.data as Record<string, unknown>;
    const at = formatIso(event.t, this.zone);
    const make = (
      kind: NotifyKind,
      title: string,
      text: string,
      data: Notification['data'],
    ): Notification => ({
      kind,
      t: at,
      run: this.run,
      title: `${this.run}: ${title}`,
      text,
      data: { event: event.type, ...data },
    });
    switch (event.type) {
      case 'instrument.defined': {
        const i = d['instrument'] as Instrument;
        this.instruments.set(i.id, i);
        return null;
      }
      case 'order.intent': {
        const o = d['order'] as {
          clientOrderId: string;
          intent: OrderIntentKind;
          groupId: string;
          strategyId: string;
        };
        this.intents.set(o.clientOrderId, { intent: o.intent, group: o.groupId, strategy: o.strategyId });
        return null;
      }
      case 'trading.state': {
        const state = String(d['state']);
        const source = String(d['source']);
        const reason = String(d['reason']);
        const changed = state !== this.state;
        this.state = state;
        if (!changed) return null;
        return source === 'engine'
          ? make('breaker', `trading ${state} (circuit breaker)`, reason, { state, source, reason })
          : make('halt', `trading ${state} by the operator`, reason, { state, source, reason });
      }
      case 'discrepancy.raised': {
        const id = String(d['id']);
        const kind = String(d['kind']);
        return make('discrepancy', `discrepancy ${id} ${kind}`, String(d['detail']), {
          id,
          kind,
          group: (d['groupId'] as string | null) ?? null,
          resolved: false,
        });
      }
      case 'discrepancy.resolved': {
        const id = String(d['id']);
        return make('discrepancy', `discrepancy ${id} resolved`, String(d['resolution']), {
          id,
          resolved: true,
        });
      }
      case 'group.status': {
        const status = String(d['status']);
        if (status !== 'residual' && status !== 'failed') return null;
        const group = String(d['groupId']);
        return make(
          'incident',
          status === 'residual' ? `group ${group} left a residual position` : `group ${group} failed`,
          String(d['reason']),
          { group, status },
        );
      }
      case 'order.lost': {
        const id = String(d['clientOrderId']);
        return make('incident', `order ${id} lost`, String(d['reason']), {
          clientOrderId: id,
          ...this.orderData(id),
        });
      }
      case 'order.rejected': {
        const id = String(d['clientOrderId']);
        const order = this.intents.get(id);
        // A rejected open is the gate's or the venue's no; a rejected close leaves risk on.
        if (order === undefined || order.intent === 'open') return null;
        return make(
          'incident',
          `${order.intent} order ${id} rejected by the venue`,
          `${String(d['message'])} (code ${String(d['code'])})`,
          { clientOrderId: id, ...this.orderData(id) },
        );
      }
      case 'order.fill': {
        const f = d['fill'] as {
          clientOrderId: string;
          instrumentId: string;
          side: string;
          qty: number;
          price: number;
        };
        const i = this.instruments.get(f.instrumentId);
        const what = i === undefined ? f.instrumentId : describeInstrument(i);
        const order = this.intents.get(f.clientOrderId);
        return make(
          'fill',
          `${f.side} ${f.qty} ${what} @ ${f.price}`,
          order === undefined
            ? `order ${f.clientOrderId}`
            : `${order.intent} of ${order.group} (${order.strategy})`,
          {
            clientOrderId: f.clientOrderId,
            side: f.side,
            qty: f.qty,
            price: f.price,
            instrument: what,
            ...this.orderData(f.clientOrderId),
          },
        );
      }
      default:
        return null;
    }
  }

  private orderData(clientOrderId: string): Record<string, string> {
    const o = this.intents.get(clientOrderId);
    return o === undefined ? {} : { intent: o.intent, group: o.group, strategy: o.strategy };
  }
}
