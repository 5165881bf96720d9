// The Kubernetes adapter layer shared by controller, speaker and gitops, and the embedded API server.
export * from './client/index.js';
export * from './server/http-server.js';
export * from './server/admission.js';
export * from './server/load-config-admission.js';
export * from './server/kubeconfig.js';
export * from './runtime/index.js';
