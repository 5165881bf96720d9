export * from './l2/index.js';
export * from './bgp/index.js';
export * from './speaker/index.js';
