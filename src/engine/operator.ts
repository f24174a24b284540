// Operator commands, exactly as the CLI, the HTTP API and scenarios give them. Each one is
// journaled, passes the same gate as strategy orders, and says what it will do and what it did.
import type { GroupId, InstrumentTerms, OrderType, Side, StrategyId } from '../domain';

export type OperatorCommand =
  | {
      readonly action: 'order';
      readonly instrument: InstrumentTerms;
      readonly side: Side;
      readonly qty: number;
      readonly type: OrderType;
      readonly limit: number | null;
      readonly stop: number | null;
      readonly fit: boolean;
    }
  | { readonly action: 'flatten'; readonly group: GroupId | null; readonly strategy: StrategyId | null }
  | { readonly action: 'halt'; readonly reason: string }
  | { readonly action: 'resume'; readonly reason: string }
  | { readonly action: 'cancel'; readonly mine: true }
  | { readonly action: 'reconcile' }
  | { readonly action: 'resolve'; readonly id: string; readonly reason: string }
  | { readonly action: 'signals'; readonly strategy: StrategyId; readonly signals: readonly unknown[] };

export type OperatorResult = { readonly ok: boolean; readonly lines: readonly string[] };
