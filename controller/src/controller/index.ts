export * from './service-object.js';
export * from './service-intent.js';
export * from './service-decision.js';
export * from './reconcile-result.js';
export * from './config-documents.js';
export * from './config-state.js';
