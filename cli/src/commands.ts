import type { Command } from './command.js';
import { apiCommand } from './commands/api.js';
import { controllerCommand } from './commands/controller.js';
import { convertCommand } from './commands/convert.js';
import { labCommand } from './commands/lab.js';
import { planCommand } from './commands/plan.js';
import { speakerCommand } from './commands/speaker.js';
import { stateCommand } from './commands/state.js';
import { syncCommand } from './commands/sync.js';
import { upCommand } from './commands/up.js';
import { validateCommand } from './commands/validate.js';

/** Every subcommand, in the order `lbops --help` lists them. */
export const commands: readonly Command[] = [
  validateCommand,
  convertCommand,
  planCommand,
  stateCommand,
  syncCommand,
  apiCommand,
  controllerCommand,
  speakerCommand,
  upCommand,
  labCommand,
];
