export * from './l2/index.js';
