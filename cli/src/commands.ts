import type { Command } from './command.js';

/** Every subcommand, in the order `lbops --help` lists them. */
export const commands: readonly Command[] = [];
