// Process plumbing shared by the controller, the speakers and the Git sync: JSON logs, the /metrics and
// health endpoints, the configuration read from cluster objects (through loadConfig) and its
// ConfigurationState, and the Service object shape.
export * from './logger.js';
export * from './http-endpoints.js';
export * from './config-documents.js';
export * from './config-state.js';
export * from './service-object.js';
