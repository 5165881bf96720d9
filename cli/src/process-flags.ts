import { isLogLevel, parseListen, type LogLevel } from '@lbops/kube';
import type { CommandIo } from './command.js';

/**
 * Checks the flags every long-running command shares (`--log-level`, `--metrics-listen`), writing the usage
 * error itself. Returns the log level, or undefined when a flag is wrong.
 */
export function checkProcessFlags(
  command: string,
  values: { readonly logLevel: string; readonly metricsListen: string; readonly metricsExample: string },
  io: CommandIo,
): LogLevel | undefined {
  if (!isLogLevel(values.logLevel)) {
    io.stderr.write(
      `lbops ${command}: --log-level must be debug, info, warn or error, not "${values.logLevel}"\n`,
    );
    return undefined;
  }
  if (parseListen(values.metricsListen) === undefined) {
    io.stderr.write(
      `lbops ${command}: --metrics-listen wants HOST:PORT (e.g. ${values.metricsExample}), got "${values.metricsListen}"\n`,
    );
    return undefined;
  }
  return values.logLevel;
}
