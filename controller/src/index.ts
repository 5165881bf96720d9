export {};
export * from './allocator/index.js';
export * from './controller/index.js';
