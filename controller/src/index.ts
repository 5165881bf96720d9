export {};
export * from './allocator/index.js';
