export * from './git.js';
export * from './git-config-files.js';
export * from './state-file.js';
export * from './plan.js';
export * from './render-plan.js';
export * from './plan-from-git.js';
export * from './github.js';
export * from './github-retry.js';
