export * from './server/http-server.js';
export * from './server/admission.js';
export * from './server/kubeconfig.js';
