// A loopback fake of TWS / IB Gateway backed by keel's simulated venue, for testing the ibkr adapter
// through the real client library (@stoqey/ib). It listens on 127.0.0.1 on an ephemeral port and
// speaks one pinned server version (messages.ts, requests.ts). Requests become SimVenue calls; what
// the simulated venue says comes back as orderStatus / openOrder / execDetails / commissionReport /
// position / error messages, so the venue's faults reach the wire: a venue disconnect is error 1100
// and silence, the reconnect 1102 (or 1101); a duplicate fill is the same execDetails twice.
// Test faults of the wire itself: a malformed message, the server closing the socket, a version
// mismatch (serverVersion), an unknown conId, any error code on an order.
import net from 'node:net';
import type { InstrumentId } from '../../../src/domain';
import {
  assert,
  ClientOrderId,
  type Instrument,
  type InstrumentTerms,
  type OrderSpec,
  type OrderType,
  type Side,
  type TimeInForce,
} from '../../../src/domain';
import type { SimVenue } from '../../../src/venues/sim/sim-venue';
import type { VenueEvent, VenueExecution } from '../../../src/venues/venue';
import {
  bagContract,
  instrumentIdOfConId,
  kindsOfSecType,
  parseWireTime,
  wireContract,
  wireDetails,
  wireTime,
} from './contracts';
import * as m from './messages';
import {
  outMsg,
  readCancelOrder,
  readContractDataRequest,
  readExecutionsRequest,
  readMktDataRequest,
  readPlaceOrder,
  readSecDefOptParamsRequest,
  type PlaceOrderRequest,
  type RequestContract,
} from './requests';
import { FieldReader, FrameReader, frame, rawFrame, type WireField } from './wire';

export type FakeTwsOptions = {
  readonly sim: SimVenue;
  /** The venue's clock (simulated time): execution times, current time. */
  readonly now: () => number;
  /** The version announced in the handshake (default the pinned one; others test a mismatch). */
  readonly serverVersion?: number;
  readonly accounts?: readonly string[];
  readonly firstValidId?: number;
  /** Every order status message sent twice, as TWS often does. */
  readonly duplicateStatus?: boolean;
  /** What a reconnect of the venue says: 1102 data kept (default) or 1101 data lost. */
  readonly reconnectCode?: 1101 | 1102;
  /** false: the account has no market data subscription (live quotes refused with 354; delayed ones after reqMarketDataType 3). */
  readonly marketDataSubscribed?: boolean;
  readonly log?: (line: string) => void;
};

type Session = {
  readonly socket: net.Socket;
  readonly reader: FrameReader;
  clientId: number | null;
  positions: boolean;
  readonly ticks: Map<number, InstrumentId>;
  readonly lastTicks: Map<string, number>;
  /** 1 live, 2 frozen, 3 delayed, 4 delayed frozen (REQ_MARKET_DATA_TYPE). */
  marketDataType: number;
  /** Lines served with delayed tick types (66/67/68). */
  readonly delayedTicks: Set<number>;
};

type FakeOrder = {
  readonly clientOrderId: ClientOrderId;
  readonly ibOrderId: number;
  readonly clientId: number;
  readonly request: PlaceOrderRequest;
  readonly contract: m.WireContract;
  readonly legs: readonly { instrument: Instrument; side: Side; ratio: number }[];
  permId: number;
  status: string;
  filledUnits: number;
  legQty: number;
  cash: number;
  lastFill: number;
  readonly comboGroups: Map<string, number>;
};

type SentExecution = {
  readonly exec: Omit<m.WireExecution, 'reqId'>;
  readonly commission: number;
  readonly t: number;
};

const bagConId = 28812380;
const fakeLogLinesMax = 10_000;

export class FakeTws {
  private server: net.Server | null = null;
  private readonly sessions = new Set<Session>();
  private readonly byRef = new Map<string, FakeOrder>();
  private readonly byClientOrderId = new Map<string, FakeOrder>();
  private readonly usedIds = new Map<number, number>();
  private readonly sent: SentExecution[] = [];
  private readonly permIds = new Map<string, number>();
  private readonly positionCache = new Map<InstrumentId, { qty: number; avgPrice: number }>();
  private linkUp: boolean;
  private nextPermId = 2_000_000_001;
  private unsubscribe: (() => void) | null = null;
  readonly lines: string[] = [];
  readonly serverVersion: number;
  private readonly accounts: readonly string[];

  constructor(private readonly o: FakeTwsOptions) {
    this.serverVersion = o.serverVersion ?? m.pinnedServerVersion;
    this.accounts = o.accounts ?? ['DU0000001'];
    this.linkUp = o.sim.isConnected();
  }

  get account(): string {
    return this.accounts[0] ?? '';
  }

  /** Listens on 127.0.0.1, port 0 (the system picks one); resolves with the port. */
  async start(): Promise<number> {
    assert(this.server === null, 'the fake TWS is already listening');
    this.unsubscribe = this.o.sim.subscribe((e) => this.onVenue(e));
    const server = net.createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    assert(address !== null && typeof address === 'object', 'the fake TWS has no address');
    return address.port;
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    for (const s of this.sessions) s.socket.destroy();
    this.sessions.clear();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Every order placed so far: keel's id (orderRef), IB's order id and the client id that placed it. */
  ordersPlaced(): readonly { clientOrderId: ClientOrderId; ibOrderId: number; clientId: number }[] {
    return [...this.byRef.values()].map((o) => ({
      clientOrderId: o.clientOrderId,
      ibOrderId: o.ibOrderId,
      clientId: o.clientId,
    }));
  }

  // ---- faults of the wire -------------------------------------------------------------------

  /** Sends every client a message its decoder cannot read (an order status cut short). */
  sendMalformed(): void {
    for (const s of this.started()) s.socket.write(frame([m.inMsg.orderStatus, 7]));
  }

  /** Sends bytes that are not a message of any kind (an unknown message id). */
  sendGarbage(): void {
    for (const s of this.started()) s.socket.write(rawFrame(Buffer.from('\u0001garbage\0', 'utf8')));
  }

  /** The server closes every client socket. */
  closeClients(): void {
    for (const s of this.sessions) s.socket.destroy();
  }

  /** Any error code on a keel order, as TWS would send it. */
  injectError(clientOrderId: string, code: number, message: string): void {
    const o = this.byRef.get(clientOrderId);
    assert(o !== undefined, `no order ${clientOrderId} at the fake TWS`);
    this.toClient(o.clientId, m.errorMessage(o.ibOrderId, code, message));
  }

  /** A notice to every session (id -1), as TWS sends 2104 "market data farm connection is OK". */
  sendNotice(code: number, message: string): void {
    for (const s of this.started()) this.send(s, m.errorMessage(-1, code, message));
  }

  /** TWS corrects an execution: the same execId before the last dot, a new suffix, new figures. */
  injectCorrection(execId: string, shares: number, price: number): void {
    const row = this.sent.find((x) => x.exec.execId === execId);
    assert(row !== undefined, `no execution ${execId} was sent`);
    const dot = execId.lastIndexOf('.');
    const corrected = { ...row.exec, execId: `${execId.slice(0, dot)}.02`, shares, price };
    this.toClient(row.exec.clientId, m.executionData({ ...corrected, reqId: -1 }));
    this.toClient(row.exec.clientId, m.commissionReport(corrected.execId, row.commission));
  }

  /** A position in a contract the venue cannot describe (an unknown conId). */
  injectUnknownPosition(conId: number, qty: number): void {
    const c: m.WireContract = {
      ...bagContract('???'),
      conId,
      secType: 'OPT',
      symbol: 'ZZZ',
      tradingClass: 'ZZZ',
    };
    for (const s of this.started()) if (s.positions) this.send(s, m.position(this.account, c, qty, 0));
  }

  /** Pushes changed quotes of every instrument a client watches (the simulator calls it after each event). */
  pushQuotes(): void {
    for (const s of this.started()) for (const [reqId, id] of s.ticks) this.pushQuote(s, reqId, id);
  }

  // ---- sessions -------------------------------------------------------------------------------

  private accept(socket: net.Socket): void {
    const session: Session = {
      socket,
      reader: new FrameReader(),
      clientId: null,
      positions: false,
      ticks: new Map(),
      lastTicks: new Map(),
      marketDataType: 1,
      delayedTicks: new Set(),
    };
    this.sessions.add(session);
    socket.setNoDelay(true); // small messages, answered at once: no Nagle wait on a loopback round trip
    socket.on('data', (chunk: Buffer) => {
      for (const item of session.reader.push(chunk)) this.onIncoming(session, item);
    });
    socket.on('close', () => this.sessions.delete(session));
    socket.on('error', () => this.sessions.delete(session));
  }

  private started(): Session[] {
    return [...this.sessions].filter((s) => s.clientId !== null);
  }

  private onIncoming(s: Session, item: ReturnType<FrameReader['push']>[number]): void {
    switch (item.kind) {
      case 'garbage':
        this.note(`client sent garbage (${item.reason}): closing`);
        s.socket.destroy();
        return;
      case 'hello':
        s.socket.write(frame(m.serverHello(this.serverVersion, wireTime(this.o.now()))));
        return;
      case 'message':
        this.onRequest(s, item.fields);
        return;
    }
  }

  private onRequest(s: Session, fields: readonly string[]): void {
    const r = new FieldReader(fields);
    const id = r.int();
    if (id !== outMsg.startApi && s.clientId === null) {
      this.note(`message ${id} before START_API: ignored`);
      return;
    }
    switch (id) {
      case outMsg.startApi:
        return this.startApi(s, r);
      case outMsg.reqIds:
        return this.send(s, m.nextValidId(this.nextIdFor(s.clientId ?? 0)));
      case outMsg.reqManagedAccts:
        return this.send(s, m.managedAccounts(this.accounts));
      case outMsg.reqCurrentTime:
        return this.send(s, m.currentTime(Math.floor(this.o.now() / 1000)));
      case outMsg.placeOrder:
        return this.placeOrder(s, readPlaceOrder(r));
      case outMsg.cancelOrder:
        return this.cancelOrder(s, readCancelOrder(r).orderId);
      case outMsg.reqOpenOrders:
      case outMsg.reqAllOpenOrders:
        return this.openOrders(s, id === outMsg.reqAllOpenOrders);
      case outMsg.reqPositions:
        s.positions = true;
        return this.positions(s);
      case outMsg.cancelPositions:
        s.positions = false;
        return;
      case outMsg.reqExecutions:
        return this.executions(s, readExecutionsRequest(r));
      case outMsg.reqContractData:
        return this.contractDetails(s, readContractDataRequest(r));
      case outMsg.reqSecDefOptParams:
        return this.secDefOptParams(s, readSecDefOptParamsRequest(r));
      case outMsg.reqMktData:
        return this.mktData(s, readMktDataRequest(r));
      case outMsg.cancelMktData:
        r.int();
        s.ticks.delete(r.int());
        return;
      case outMsg.reqMarketDataType:
        r.int(); // version
        s.marketDataType = r.int();
        return;
      default:
        this.note(`request ${id} is not supported by the fake TWS: ignored`);
    }
  }

  private startApi(s: Session, r: FieldReader): void {
    r.int(); // version
    const clientId = r.int();
    if (this.started().some((x) => x.clientId === clientId)) {
      this.send(
        s,
        m.errorMessage(
          -1,
          326,
          `Unable to connect as the client id is already in use. Retry with a unique client id.`,
        ),
      );
      s.socket.end();
      return;
    }
    s.clientId = clientId;
    this.send(s, m.managedAccounts(this.accounts));
    this.send(s, m.nextValidId(this.nextIdFor(clientId)));
    if (!this.linkUp)
      this.send(s, m.errorMessage(-1, 1100, 'Connectivity between IB and Trader Workstation has been lost.'));
  }

  private nextIdFor(clientId: number): number {
    return Math.max(this.o.firstValidId ?? 1, (this.usedIds.get(clientId) ?? 0) + 1);
  }

  // ---- orders ---------------------------------------------------------------------------------

  private placeOrder(s: Session, req: PlaceOrderRequest): void {
    const clientId = s.clientId ?? 0;
    const key = `${clientId}:${req.orderId}`;
    if (req.orderId <= (this.usedIds.get(clientId) ?? 0) || this.byClientOrderId.has(key)) {
      this.send(s, m.errorMessage(req.orderId, 103, `Duplicate order id`));
      return;
    }
    this.usedIds.set(clientId, req.orderId);
    const legs = this.legsOf(req);
    if (legs === null) {
      this.send(s, m.errorMessage(req.orderId, 200, 'No security definition has been found for the request'));
      return;
    }
    const spec = this.specOf(req, legs);
    if (typeof spec === 'string') {
      this.send(s, m.errorMessage(req.orderId, 321, `Error validating request: ${spec}`));
      return;
    }
    const order: FakeOrder = {
      clientOrderId: spec.clientOrderId,
      ibOrderId: req.orderId,
      clientId,
      request: req,
      contract:
        legs.length > 1
          ? bagContract(legs[0]?.instrument.symbol ?? '')
          : wireContract(legs[0]?.instrument as Instrument),
      legs,
      permId: 0,
      status: 'PendingSubmit',
      filledUnits: 0,
      legQty: 0,
      cash: 0,
      lastFill: 0,
      comboGroups: new Map(),
    };
    this.byClientOrderId.set(key, order);
    if (!this.byRef.has(spec.clientOrderId)) this.byRef.set(spec.clientOrderId, order);
    this.status(order);
    this.o.sim.submit(spec);
  }

  private legsOf(req: PlaceOrderRequest): FakeOrder['legs'] | null {
    const list =
      req.contract.secType === 'BAG'
        ? req.comboLegs.map((l) => ({ conId: l.conId, side: l.action as Side, ratio: l.ratio }))
        : [{ conId: req.contract.conId, side: req.action as Side, ratio: 1 }];
    const flip = req.contract.secType === 'BAG' && req.action === 'SELL';
    const legs: { instrument: Instrument; side: Side; ratio: number }[] = [];
    for (const l of list) {
      const id = instrumentIdOfConId(l.conId);
      const instrument = id === null ? null : this.o.sim.instrument(id);
      if (instrument === null) return null;
      const side: Side = flip ? (l.side === 'BUY' ? 'SELL' : 'BUY') : l.side;
      legs.push({ instrument, side, ratio: l.ratio });
    }
    return legs.length > 0 ? legs : null;
  }

  private specOf(req: PlaceOrderRequest, legs: FakeOrder['legs']): OrderSpec | string {
    const type = orderTypeOf(req.orderType);
    if (type === null) return `order type ${req.orderType} is not supported by the fake`;
    const tif = req.tif === '' ? 'DAY' : req.tif;
    if (tif !== 'DAY' && tif !== 'GTC' && tif !== 'IOC') return `time in force ${req.tif}`;
    const ref = ClientOrderId.parse(req.orderRef);
    if (!ref.ok) return `orderRef '${req.orderRef}' is not a keel client order id`;
    const parent = req.ocaGroup === '' ? null : ClientOrderId.parse(req.ocaGroup);
    const limitTypes: readonly OrderType[] = ['LMT', 'STP_LMT'];
    return {
      clientOrderId: ref.value,
      legs: legs.map((l) => ({ instrumentId: l.instrument.id, side: l.side, ratio: l.ratio })),
      qty: req.totalQuantity,
      type,
      limitPrice: limitTypes.includes(type) ? req.lmtPrice : null,
      stopPrice: type === 'STP' || type === 'STP_LMT' || type === 'MIT' ? req.auxPrice : null,
      tif: tif as TimeInForce,
      reduceOnly: req.openClose === 'C',
      parentClientOrderId: parent?.ok && this.byRef.has(parent.value) ? parent.value : null,
    };
  }

  private cancelOrder(s: Session, orderId: number): void {
    const order = this.byClientOrderId.get(`${s.clientId ?? 0}:${orderId}`);
    if (!order) {
      this.send(
        s,
        m.errorMessage(orderId, 10147, `OrderId ${orderId} that needs to be cancelled is not found.`),
      );
      return;
    }
    if (order.status !== 'Cancelled' && order.status !== 'Filled') {
      order.status = 'PendingCancel';
      this.status(order);
    }
    this.o.sim.cancel(order.clientOrderId);
  }

  private status(o: FakeOrder): void {
    const total = o.request.totalQuantity;
    const msg = m.orderStatus({
      orderId: o.ibOrderId,
      status: o.status,
      filled: o.filledUnits,
      remaining: total - o.filledUnits,
      avgFillPrice: o.legQty > 0 ? o.cash / o.legQty : 0,
      permId: o.permId,
      parentId: o.request.parentId,
      lastFillPrice: o.lastFill,
      clientId: o.clientId,
    });
    this.toClient(o.clientId, msg);
    if (this.o.duplicateStatus ?? true) this.toClient(o.clientId, msg);
  }

  private wireOrder(o: FakeOrder): m.WireOrder {
    const r = o.request;
    return {
      orderId: o.ibOrderId,
      clientId: o.clientId,
      permId: o.permId,
      action: r.action,
      totalQuantity: r.totalQuantity,
      orderType: r.orderType,
      lmtPrice: r.lmtPrice,
      auxPrice: r.auxPrice,
      tif: r.tif,
      ocaGroup: r.ocaGroup,
      ocaType: r.ocaGroup === '' ? 0 : 1,
      account: r.account === '' ? this.account : r.account,
      openClose: r.openClose,
      orderRef: r.orderRef,
      parentId: r.parentId,
      comboLegs: r.comboLegs,
      status: o.status,
    };
  }

  // ---- what the simulated venue says ------------------------------------------------------------

  private onVenue(e: VenueEvent): void {
    if (e.type === 'connection') return this.onConnection(e.up);
    if (e.type === 'position') this.positionCache.set(e.instrumentId, { qty: e.qty, avgPrice: e.avgPrice });
    if (!this.linkUp && !(e.type === 'rejected' || e.type === 'cancelRejected')) return;
    switch (e.type) {
      case 'accepted': {
        const o = this.byRef.get(e.clientOrderId);
        if (!o) return this.note(`accepted ${e.clientOrderId}: not placed through the fake`);
        o.permId = this.permIdOf(e.venueOrderId);
        o.status = 'Submitted';
        this.toClient(o.clientId, m.openOrder(o.contract, this.wireOrder(o)));
        return this.status(o);
      }
      case 'rejected': {
        const o = this.byRef.get(e.clientOrderId);
        if (!o) return;
        this.toClient(o.clientId, m.errorMessage(o.ibOrderId, e.code, e.message));
        if (e.code === 1100) return; // never reached the venue
        o.status = 'Cancelled';
        return this.status(o);
      }
      case 'fill':
        return this.onFill(e.fill);
      case 'cancelled': {
        const o = this.byRef.get(e.clientOrderId);
        if (!o) return;
        this.toClient(o.clientId, m.errorMessage(o.ibOrderId, 202, `Order Canceled - reason:${e.detail}`));
        o.status = 'Cancelled';
        return this.status(o);
      }
      case 'cancelRejected': {
        const o = this.byRef.get(e.clientOrderId);
        if (!o) return;
        const [code, text] =
          e.reason === 'notSent'
            ? [1100, 'Connectivity between IB and Trader Workstation has been lost.']
            : e.reason === 'unknownOrder'
              ? [10147, `OrderId ${o.ibOrderId} that needs to be cancelled is not found.`]
              : [
                  10148,
                  `OrderId ${o.ibOrderId} that needs to be cancelled cannot be cancelled, state: ${o.status}.`,
                ];
        if (o.status === 'PendingCancel')
          o.status = o.filledUnits >= o.request.totalQuantity ? 'Filled' : 'Submitted';
        return this.toClient(o.clientId, m.errorMessage(o.ibOrderId, code, text));
      }
      case 'position': {
        const instrument = this.o.sim.instrument(e.instrumentId);
        if (!instrument) return;
        const msg = m.position(
          this.account,
          wireContract(instrument),
          e.qty,
          e.avgPrice * instrument.multiplier,
        );
        for (const s of this.started()) if (s.positions) this.send(s, msg);
        return;
      }
      case 'settlement':
        return; // TWS sends no settlement: the option's position goes to zero
    }
  }

  private onConnection(up: boolean): void {
    this.linkUp = up;
    const code = up ? (this.o.reconnectCode ?? 1102) : 1100;
    const text =
      code === 1100
        ? 'Connectivity between IB and Trader Workstation has been lost.'
        : code === 1101
          ? 'Connectivity between IB and Trader Workstation has been restored - data lost.'
          : 'Connectivity between IB and Trader Workstation has been restored - data maintained.';
    for (const s of this.started()) this.send(s, m.errorMessage(-1, code, text));
  }

  private onFill(f: Extract<VenueEvent, { type: 'fill' }>['fill']): void {
    const o = this.byRef.get(f.clientOrderId);
    if (!o) return this.note(`fill of ${f.clientOrderId}: not placed through the fake`);
    const leg = o.legs.find((l) => l.instrument.id === f.instrumentId);
    assert(leg !== undefined, `fill of ${f.clientOrderId} in an instrument not in the order`);
    const duplicate = this.sent.some((x) => x.exec.execId === f.execId);
    if (o.legs.length > 1 && f.comboExecId !== null && !duplicate)
      this.comboLeg(o, f.comboExecId, f.qty / leg.ratio, f.t);
    if (!duplicate) {
      o.legQty += f.qty;
      o.cash += f.qty * f.price;
      o.lastFill = f.price;
      if (o.legs.length === 1) o.filledUnits += f.qty;
    }
    const exec = this.execution(o, leg.instrument, f.execId, f.t, f.side, f.qty, f.price);
    this.sendExecution(o, exec, f.commission / 1e6, f.t, !duplicate);
    if (duplicate) return;
    const done = o.legs.length === 1 || this.comboDone(o, f.comboExecId);
    if (!done) return;
    if (o.filledUnits >= o.request.totalQuantity) o.status = 'Filled';
    this.status(o);
  }

  /** The first leg of a combo execution: TWS reports the BAG's own execution before its legs. */
  private comboLeg(o: FakeOrder, comboExecId: string, units: number, t: number): void {
    const seen = o.comboGroups.get(comboExecId);
    o.comboGroups.set(comboExecId, (seen ?? 0) + 1);
    if (seen !== undefined) return;
    o.filledUnits += units;
    const bag = this.execution(
      o,
      null,
      `${comboExecId}.01`,
      t,
      o.request.action === 'SELL' ? 'SELL' : 'BUY',
      units,
      0,
    );
    this.sendExecution(o, bag, 0, t, true);
  }

  private comboDone(o: FakeOrder, comboExecId: string | null): boolean {
    return comboExecId !== null && (o.comboGroups.get(comboExecId) ?? 0) >= o.legs.length;
  }

  private execution(
    o: FakeOrder,
    instrument: Instrument | null,
    execId: string,
    t: number,
    side: Side,
    qty: number,
    price: number,
  ): Omit<m.WireExecution, 'reqId'> {
    return {
      orderId: o.ibOrderId,
      contract: instrument ? wireContract(instrument) : o.contract,
      execId,
      time: wireTime(t),
      account: this.account,
      side: side === 'BUY' ? 'BOT' : 'SLD',
      shares: qty,
      price,
      permId: o.permId,
      clientId: o.clientId,
      cumQty: instrument ? o.legQty : o.filledUnits,
      avgPrice: o.legQty > 0 ? o.cash / o.legQty : 0,
      orderRef: o.request.orderRef,
    };
  }

  private sendExecution(
    o: FakeOrder,
    exec: Omit<m.WireExecution, 'reqId'>,
    commission: number,
    t: number,
    keep: boolean,
  ): void {
    if (keep) this.sent.push({ exec, commission, t });
    this.toClient(o.clientId, m.executionData({ ...exec, reqId: -1 }));
    this.toClient(o.clientId, m.commissionReport(exec.execId, commission));
  }

  // ---- requests for state -----------------------------------------------------------------------

  private openOrders(s: Session, all: boolean): void {
    if (this.o.sim.isConnected()) {
      void this.o.sim.snapshot().then((snap) => {
        for (const v of snap.orders) {
          if (v.status !== 'working') continue;
          const o = v.clientOrderId === null ? undefined : this.byRef.get(v.clientOrderId);
          if (o === undefined) {
            if (all && v.clientOrderId === null)
              this.foreignOrder(s, this.permIdOf(v.venueOrderId), v.remainingQty);
            continue;
          }
          if (!all && o.clientId !== s.clientId) continue;
          if (o.permId === 0) o.permId = this.permIdOf(v.venueOrderId);
          if (o.status === 'PendingSubmit') o.status = 'Submitted';
          this.send(s, m.openOrder(o.contract, this.wireOrder(o)));
          this.statusTo(s, o);
        }
        this.send(s, m.openOrderEnd());
      });
      return;
    }
    for (const o of this.byRef.values()) {
      if (o.status === 'Filled' || o.status === 'Cancelled') continue;
      if (!all && o.clientId !== s.clientId) continue;
      this.send(s, m.openOrder(o.contract, this.wireOrder(o)));
      this.statusTo(s, o);
    }
    this.send(s, m.openOrderEnd());
  }

  private statusTo(s: Session, o: FakeOrder): void {
    this.send(
      s,
      m.orderStatus({
        orderId: o.ibOrderId,
        status: o.status,
        filled: o.filledUnits,
        remaining: o.request.totalQuantity - o.filledUnits,
        avgFillPrice: o.legQty > 0 ? o.cash / o.legQty : 0,
        permId: o.permId,
        parentId: o.request.parentId,
        lastFillPrice: o.lastFill,
        clientId: o.clientId,
      }),
    );
  }

  /** An order entered by hand in TWS: order id 0, no orderRef, no contract the fake can name. */
  private foreignOrder(s: Session, permId: number, remaining: number): void {
    const c: m.WireContract = { ...bagContract(''), conId: 0, secType: '' };
    const order: m.WireOrder = {
      orderId: 0,
      clientId: 0,
      permId,
      action: 'BUY',
      totalQuantity: remaining,
      orderType: 'LMT',
      lmtPrice: null,
      auxPrice: null,
      tif: 'DAY',
      ocaGroup: '',
      ocaType: 0,
      account: this.account,
      openClose: '',
      orderRef: '',
      parentId: 0,
      comboLegs: [],
      status: 'Submitted',
    };
    this.send(s, m.openOrder(c, order));
  }

  private positions(s: Session): void {
    const send = (list: Iterable<[InstrumentId, { qty: number; avgPrice: number }]>) => {
      for (const [id, p] of list) {
        const instrument = this.o.sim.instrument(id);
        if (!instrument || p.qty === 0) continue;
        this.send(
          s,
          m.position(this.account, wireContract(instrument), p.qty, p.avgPrice * instrument.multiplier),
        );
      }
      this.send(s, m.positionEnd());
    };
    if (!this.o.sim.isConnected()) return send(this.positionCache);
    void this.o.sim.snapshot().then((snap) => {
      for (const p of snap.positions)
        this.positionCache.set(p.instrumentId, { qty: p.qty, avgPrice: p.avgPrice });
      send(
        snap.positions.map((p) => [p.instrumentId, p] as [InstrumentId, { qty: number; avgPrice: number }]),
      );
    });
  }

  private executions(s: Session, req: { reqId: number; clientId: number; time: string }): void {
    const since = req.time === '' ? null : parseWireTime(req.time);
    const reply = (rows: readonly SentExecution[]) => {
      for (const row of rows) {
        if (since !== null && row.t < since) continue;
        this.send(s, m.executionData({ ...row.exec, reqId: req.reqId }));
        this.send(s, m.commissionReport(row.exec.execId, row.commission));
      }
      this.send(s, m.executionDataEnd(req.reqId));
    };
    if (!this.o.sim.isConnected()) return reply(this.sent);
    void this.o.sim.snapshot().then((snap) => reply(this.executionRows(snap.executions)));
  }

  /** The venue's executions as TWS lists them: a combo's BAG execution before its legs. */
  private executionRows(list: readonly VenueExecution[]): SentExecution[] {
    const rows: SentExecution[] = [];
    const bags = new Set<string>();
    for (const x of list) {
      const o = x.clientOrderId === null ? undefined : this.byRef.get(x.clientOrderId);
      if (!o) continue; // an execution of an order placed elsewhere: not this API's to list
      if (o.permId === 0) o.permId = this.permIdOf(x.venueOrderId); // it was accepted while the link was down
      const instrument = this.o.sim.instrument(x.instrumentId);
      const leg = o.legs.find((l) => l.instrument.id === x.instrumentId);
      if (!instrument || !leg) continue;
      if (x.comboExecId !== null && !bags.has(x.comboExecId)) {
        bags.add(x.comboExecId);
        const side = o.request.action === 'SELL' ? 'SELL' : 'BUY';
        const bag = this.execution(o, null, `${x.comboExecId}.01`, x.t, side, x.qty / leg.ratio, 0);
        rows.push({ exec: bag, commission: 0, t: x.t });
      }
      rows.push({
        exec: this.execution(o, instrument, x.execId, x.t, x.side, x.qty, x.price),
        commission: x.commission / 1e6,
        t: x.t,
      });
    }
    return rows;
  }

  private contractDetails(s: Session, req: { reqId: number; contract: RequestContract }): void {
    const found = this.describe(req.contract);
    if (found.length === 0) {
      this.send(s, m.errorMessage(req.reqId, 200, 'No security definition has been found for the request'));
      return;
    }
    for (const i of found) {
      const underlying = i.kind === 'option' ? this.resolve({ symbol: i.symbol }) : null;
      this.send(s, m.contractData(req.reqId, wireDetails(i, underlying)));
    }
    this.send(s, m.contractDataEnd(req.reqId));
  }

  private describe(c: RequestContract): Instrument[] {
    if (c.conId > 0) {
      const id = instrumentIdOfConId(c.conId);
      const i = id === null ? null : this.o.sim.instrument(id);
      return i ? [i] : [];
    }
    const kinds = kindsOfSecType(c.secType);
    if (c.secType !== 'OPT') {
      const i = this.resolve({ symbol: c.symbol });
      return i && kinds.includes(i.kind) ? [i] : [];
    }
    const expiry = /^(\d{4})(\d{2})(\d{2})$/.exec(c.lastTradeDate);
    if (!expiry) return [];
    const date = `${expiry[1]}-${expiry[2]}-${expiry[3]}`;
    if (c.strike !== null && c.strike > 0 && (c.right === 'C' || c.right === 'P')) {
      const i = this.resolve({ symbol: c.symbol, expiry: date, strike: c.strike, right: c.right });
      return i ? [i] : [];
    }
    return this.o.sim
      .optionChain(c.symbol, date)
      .filter((i) => c.right === '' || (i.kind === 'option' && i.right === c.right));
  }

  private resolve(terms: InstrumentTerms): Instrument | null {
    const r = this.o.sim.resolveInstrument(terms);
    return r.ok ? r.instrument : null;
  }

  /** Expiries in the next five weeks with a listed chain, and their strikes. */
  private secDefOptParams(s: Session, req: { reqId: number; symbol: string; underConId: number }): void {
    const expirations: string[] = [];
    const strikes = new Set<number>();
    for (let d = 0; d < 35; d++) {
      const date = new Date(this.o.now() + d * 86_400_000).toISOString().slice(0, 10);
      const chain = this.o.sim.optionChain(req.symbol, date);
      if (chain.length === 0) continue;
      expirations.push(date.replaceAll('-', ''));
      for (const i of chain) if (i.kind === 'option') strikes.add(i.strike);
    }
    if (expirations.length > 0)
      this.send(
        s,
        m.secDefOptParameter(
          req.reqId,
          req.underConId,
          req.symbol,
          100,
          expirations,
          [...strikes].sort((a, b) => a - b),
        ),
      );
    this.send(s, m.secDefOptParameterEnd(req.reqId));
  }

  private mktData(s: Session, req: { reqId: number; contract: RequestContract }): void {
    const id = instrumentIdOfConId(req.contract.conId);
    if (id === null || this.o.sim.instrument(id) === null) {
      this.send(s, m.errorMessage(req.reqId, 200, 'No security definition has been found for the request'));
      return;
    }
    if (this.o.marketDataSubscribed === false) {
      if (s.marketDataType < 3) {
        this.send(s, m.errorMessage(req.reqId, 354, 'Requested market data is not subscribed.'));
        return;
      }
      this.send(
        s,
        m.errorMessage(
          req.reqId,
          10167,
          'Requested market data is not subscribed. Displaying delayed market data.',
        ),
      );
      s.delayedTicks.add(req.reqId);
    }
    s.ticks.set(req.reqId, id);
    this.pushQuote(s, req.reqId, id);
  }

  private pushQuote(s: Session, reqId: number, id: InstrumentId): void {
    const instrument = this.o.sim.instrument(id);
    if (!instrument) return;
    const q = this.o.sim.market.quote(id);
    const ticks: [number, number][] = q
      ? [
          [m.tickType.bid, q.bid],
          [m.tickType.ask, q.ask],
          [m.tickType.markPrice, q.mid],
        ]
      : [
          [m.tickType.bid, -1],
          [m.tickType.ask, -1],
          [m.tickType.markPrice, -1],
        ];
    if (instrument.kind !== 'option')
      ticks.push([m.tickType.last, this.o.sim.market.spot(instrument.symbol) ?? -1]);
    const delayed = s.delayedTicks.has(reqId);
    for (const [live, price] of ticks) {
      // Delayed lines carry their own tick types and no mark price.
      const type = delayed ? m.delayedTickType[live] : live;
      if (type === undefined) continue;
      const key = `${reqId}:${type}`;
      if (s.lastTicks.get(key) === price) continue;
      s.lastTicks.set(key, price);
      this.send(s, m.tickPrice(reqId, type, price));
    }
  }

  // ---- plumbing -------------------------------------------------------------------------------

  private permIdOf(venueOrderId: string): number {
    const known = this.permIds.get(venueOrderId);
    if (known !== undefined) return known;
    const n = Number(venueOrderId);
    const permId = Number.isSafeInteger(n) && n > 0 && n < 2_000_000_000 ? n : this.nextPermId++;
    this.permIds.set(venueOrderId, permId);
    return permId;
  }

  private toClient(clientId: number, fields: WireField[]): void {
    for (const s of this.started()) if (s.clientId === clientId) this.send(s, fields);
  }

  private send(s: Session, fields: WireField[]): void {
    if (!s.socket.destroyed) s.socket.write(frame(fields));
  }

  private note(line: string): void {
    if (this.lines.length < fakeLogLinesMax) this.lines.push(line);
    this.o.log?.(`fake TWS: ${line}`);
  }
}

function orderTypeOf(ib: string): OrderType | null {
  switch (ib) {
    case 'MKT':
    case 'LMT':
    case 'STP':
    case 'MIT':
      return ib;
    case 'STP LMT':
      return 'STP_LMT';
    default:
      return null;
  }
}

export { bagConId };
