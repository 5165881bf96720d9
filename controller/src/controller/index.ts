export * from './service-intent.js';
export * from './service-decision.js';
export * from './metrics.js';
export * from './pool-status.js';
export * from './event-sink.js';
export * from './controller.js';
