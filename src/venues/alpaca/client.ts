// The typed boundary to @alpacahq/alpaca-trade-api: the library's generated REST classes and its
// trade_updates stream, pointed at the configured hosts. Every REST answer is read as raw JSON and
// checked by wire.ts (the generated models drop the FILL activity's fields, and a malformed body
// must be a typed failure). The library's own retries are off: keel decides what is safe to repeat
// (an order only after looking it up by client order id).
import { OrdersApi, marketData, streaming, trading } from '@alpacahq/alpaca-trade-api';
import type { AlpacaConfig } from './config';

export type AlpacaOrderRequest = {
  readonly symbol: string;
  readonly qty: string;
  readonly side: 'buy' | 'sell';
  readonly type: 'market' | 'limit' | 'stop' | 'stop_limit';
  readonly timeInForce: 'day' | 'gtc' | 'ioc';
  readonly limitPrice: string | null;
  readonly stopPrice: string | null;
  readonly clientOrderId: string;
  readonly orderClass: 'simple' | 'oco' | 'bracket';
  readonly takeProfit: { readonly limitPrice: string } | null;
  readonly stopLoss: { readonly stopPrice: string; readonly limitPrice?: string } | null;
  /** `*_to_close` for keel's reduce-only orders (an exit or a close of what keel owns); null: left to Alpaca. */
  readonly positionIntent: 'buy_to_close' | 'sell_to_close' | null;
};

/** A multi-leg options order (order_class mleg): 2-4 legs, one net limit price per unit (positive: a debit). */
export type AlpacaMlegRequest = {
  readonly qty: string;
  readonly limitPrice: string;
  readonly timeInForce: 'day' | 'gtc';
  readonly clientOrderId: string;
  readonly legs: readonly {
    readonly symbol: string;
    readonly ratioQty: string;
    readonly side: 'buy' | 'sell';
    readonly positionIntent: 'buy_to_open' | 'buy_to_close' | 'sell_to_open' | 'sell_to_close';
  }[];
};

export type AlpacaClientOptions = {
  readonly config: AlpacaConfig;
  readonly requestTimeoutMs: number;
  /** Requests a minute the library lets out (Alpaca allows 200); null: no client-side limit. */
  readonly requestsPerMinute: number | null;
  readonly streamReconnectMs: number;
};

type Raw = Promise<{ raw: Response }>;

export class AlpacaClient {
  private readonly orders: OrdersApi;
  private readonly positions: trading.PositionsApi;
  private readonly accounts: trading.AccountsApi;
  private readonly activities: trading.AccountActivitiesApi;
  private readonly assets: trading.AssetsApi;
  private readonly stocks: marketData.StockApi;
  private readonly options: marketData.OptionApi;

  constructor(private readonly o: AlpacaClientOptions) {
    const shared = {
      keyId: o.config.keyId,
      secret: o.config.secret,
      timeoutMs: o.requestTimeoutMs,
      ...(o.requestsPerMinute === null
        ? {}
        : { rateLimit: { maxRequests: o.requestsPerMinute, intervalMs: 60_000 } }),
    };
    const tradingConfig = new trading.Configuration({ ...shared, basePath: o.config.tradingUrl });
    this.orders = new OrdersApi(tradingConfig);
    this.positions = new trading.PositionsApi(tradingConfig);
    this.accounts = new trading.AccountsApi(tradingConfig);
    this.activities = new trading.AccountActivitiesApi(tradingConfig);
    this.assets = new trading.AssetsApi(tradingConfig);
    const dataConfig = new marketData.Configuration({ ...shared, basePath: o.config.dataUrl });
    this.stocks = new marketData.StockApi(dataConfig);
    this.options = new marketData.OptionApi(dataConfig);
  }

  postOrder(r: AlpacaOrderRequest): Promise<unknown> {
    const request: trading.PostOrderRequest = {
      symbol: r.symbol,
      qty: r.qty,
      side: r.side,
      type: r.type,
      timeInForce: r.timeInForce,
      clientOrderId: r.clientOrderId,
      orderClass: r.orderClass,
      ...(r.positionIntent === null ? {} : { positionIntent: r.positionIntent }),
      ...(r.limitPrice === null ? {} : { limitPrice: r.limitPrice }),
      ...(r.stopPrice === null ? {} : { stopPrice: r.stopPrice }),
      ...(r.takeProfit === null ? {} : { takeProfit: { limitPrice: r.takeProfit.limitPrice } }),
      ...(r.stopLoss === null
        ? {}
        : {
            stopLoss: {
              stopPrice: r.stopLoss.stopPrice,
              ...(r.stopLoss.limitPrice === undefined ? {} : { limitPrice: r.stopLoss.limitPrice }),
            },
          }),
    };
    return json(this.orders.postOrderRaw({ postOrderRequest: request }));
  }

  postMleg(r: AlpacaMlegRequest): Promise<unknown> {
    const request: trading.PostOrderRequest = {
      qty: r.qty,
      type: 'limit',
      limitPrice: r.limitPrice,
      timeInForce: r.timeInForce,
      clientOrderId: r.clientOrderId,
      orderClass: 'mleg',
      legs: r.legs.map((l) => ({
        symbol: l.symbol,
        ratioQty: l.ratioQty,
        side: l.side,
        positionIntent: l.positionIntent,
      })),
    };
    return json(this.orders.postOrderRaw({ postOrderRequest: request }));
  }

  optionContract(symbol: string): Promise<unknown> {
    return json(this.assets.getOptionContractSymbolOrIdRaw({ symbolOrId: symbol }));
  }

  optionContracts(underlying: string, expiry: string, pageToken: string | null): Promise<unknown> {
    return json(
      this.assets.getOptionsContractsRaw({
        underlyingSymbols: underlying,
        expirationDate: new Date(`${expiry}T00:00:00Z`),
        limit: 10_000,
        ...(pageToken === null ? {} : { pageToken }),
      }),
    );
  }

  optionSnapshots(symbols: readonly string[]): Promise<unknown> {
    return json(this.options.optionSnapshotsRaw({ symbols: symbols.join(','), feed: 'indicative' }));
  }

  orderByClientOrderId(clientOrderId: string): Promise<unknown> {
    return json(this.orders.getOrderByClientOrderIdRaw({ clientOrderId }));
  }

  listOrders(q: { status: 'open' | 'closed' | 'all'; after?: string; limit: number; nested: boolean }) {
    return json(
      this.orders.getAllOrdersRaw({
        status: q.status,
        limit: q.limit,
        nested: q.nested,
        direction: 'asc',
        ...(q.after === undefined ? {} : { after: q.after }),
      }),
    );
  }

  async cancelOrder(orderId: string): Promise<void> {
    await this.orders.deleteOrderByOrderIDRaw({ orderId });
  }

  listPositions(): Promise<unknown> {
    return json(this.positions.getAllOpenPositionsRaw());
  }

  account(): Promise<unknown> {
    return json(this.accounts.getAccountRaw());
  }

  fillActivities(after: Date | null, pageToken: string | null, pageSize: number): Promise<unknown> {
    return json(
      this.activities.getAccountActivitiesByActivityTypeRaw({
        activityType: 'FILL',
        direction: 'asc',
        pageSize,
        ...(after === null ? {} : { after }),
        ...(pageToken === null ? {} : { pageToken }),
      }),
    );
  }

  asset(symbol: string): Promise<unknown> {
    return json(this.assets.getV2AssetsSymbolOrAssetIdRaw({ symbolOrAssetId: symbol }));
  }

  stockSnapshots(symbols: readonly string[]): Promise<unknown> {
    return json(this.stocks.stockSnapshotsRaw({ symbols: symbols.join(','), feed: this.o.config.feed }));
  }

  /** The trade_updates stream; reconnects by itself (the adapter says the link is down meanwhile). */
  stream(): streaming.TradingStream {
    return new streaming.TradingStream({
      credentials: { keyId: this.o.config.keyId, secret: this.o.config.secret },
      url: this.o.config.streamUrl,
      reconnect: true,
      maxReconnectAttempts: streaming.UNLIMITED_RECONNECT_ATTEMPTS,
      backoff: this.o.streamReconnectMs >= 1_000,
      initialReconnectMs: this.o.streamReconnectMs,
      maxReconnectMs: Math.max(this.o.streamReconnectMs, 30_000),
      pingIntervalMs: 10_000,
    });
  }
}

async function json(call: Raw): Promise<unknown> {
  const r = await call;
  return (await r.raw.json()) as unknown;
}
