export * from './arp.js';
export * from './codec-error.js';
export * from './ethernet.js';
export * from './frame.js';
export * from './ipv6.js';
export * from './link-address.js';
export * from './ndp.js';
