export * from './projection';
export * from './ownership';
export * from './orders';
export * from './groups';
export * from './budget-book';
export * from './reconciliation';
export * from './checkpoint';
