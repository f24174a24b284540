export * from './projection';
export * from './ownership';
export * from './orders';
export * from './groups';
