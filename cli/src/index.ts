export { run } from './run.js';
export type { Command, CommandIo } from './command.js';
export { ExitCode } from './command.js';
