import type { Command } from './command.js';
import { apiCommand } from './commands/api.js';
import { convertCommand } from './commands/convert.js';
import { labCommand } from './commands/lab.js';
import { validateCommand } from './commands/validate.js';

/** Every subcommand, in the order `lbops --help` lists them. */
export const commands: readonly Command[] = [validateCommand, convertCommand, apiCommand, labCommand];
