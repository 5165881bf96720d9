export * from './address.js';
export * from './label-selector.js';
export * from './model.js';
