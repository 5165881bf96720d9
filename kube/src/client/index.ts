export * from './kube-client.js';
export * from './informer.js';
export * from './work-queue.js';
export * from './event-recorder.js';
export * from './leader-election.js';
export * from './status.js';
export * from './apply.js';
export * from './backoff.js';
