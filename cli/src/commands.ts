import type { Command } from './command.js';
import { apiCommand } from './commands/api.js';

/** Every subcommand, in the order `lbops --help` lists them. */
export const commands: readonly Command[] = [apiCommand];
