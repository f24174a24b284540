export * from './report-types';
export * from './build-report';
export * from './daily-log';
export * from './budget-view';
export * from './daily-logs';
