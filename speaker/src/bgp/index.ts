export * from './errors.js';
export * from './ip.js';
export * from './nlri.js';
export * from './capabilities.js';
export * from './open.js';
export * from './attributes.js';
export * from './update.js';
export * from './message.js';
