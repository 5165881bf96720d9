// The controller's view of a loadConfig answer: apply it, or keep the last good config and say why, in the
// ConfigurationState a user finds with `kubectl get configurationstates -n metallb-system`.
import type { Config, Diagnostic } from '@lbops/schemas';

export type ConfigResult = 'Valid' | 'Invalid' | 'Unknown';

export interface ConfigurationStateStatus {
  readonly result: ConfigResult;
  readonly errorSummary: string;
  readonly conditions: ReadonlyArray<{
    readonly type: string;
    readonly status: 'True' | 'False';
    readonly reason: string;
    readonly message: string;
    readonly lastTransitionTime: string;
  }>;
}

export interface ConfigEvaluation {
  /** The config to put in force; undefined when the new one is invalid (keep the last good one). */
  readonly accepted: Config | undefined;
  readonly errors: readonly Diagnostic[];
  readonly warnings: readonly Diagnostic[];
  readonly summary: string;
}

/** At most this many errors are spelled out in errorSummary; the count says how many there are. */
const SUMMARY_ERRORS = 5;

export function formatDiagnosticLine(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column} ${d.path === '' ? '' : `${d.path}: `}${d.message} [${d.code}]`;
}

/** Errors make the config invalid; warnings do not. */
export function evaluateConfig(loaded: {
  readonly config: Config | undefined;
  readonly diagnostics: readonly Diagnostic[];
}): ConfigEvaluation {
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  const warnings = loaded.diagnostics.filter((d) => d.severity === 'warning');
  if (errors.length === 0 && loaded.config !== undefined) {
    const pools = loaded.config.pools.length;
    return {
      accepted: loaded.config,
      errors,
      warnings,
      summary: `valid: ${pools} pool${pools === 1 ? '' : 's'}${warnings.length > 0 ? `, ${warnings.length} warning(s)` : ''}`,
    };
  }
  const shown = errors.slice(0, SUMMARY_ERRORS).map(formatDiagnosticLine);
  const more = errors.length > SUMMARY_ERRORS ? `; and ${errors.length - SUMMARY_ERRORS} more` : '';
  return {
    accepted: undefined,
    errors,
    warnings,
    summary: `${errors.length} error${errors.length === 1 ? '' : 's'}: ${shown.join('; ')}${more}`,
  };
}

/** The ConfigurationState status for an evaluation. `inForce` says whether a last good config still applies. */
export function configurationStateStatus(
  evaluation: ConfigEvaluation,
  inForce: boolean,
  now: Date,
): ConfigurationStateStatus {
  const time = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (evaluation.accepted !== undefined) {
    return {
      result: 'Valid',
      errorSummary: '',
      conditions: [
        {
          type: 'Valid',
          status: 'True',
          reason: 'ConfigLoaded',
          message: evaluation.summary,
          lastTransitionTime: time,
        },
      ],
    };
  }
  return {
    result: 'Invalid',
    errorSummary: evaluation.summary,
    conditions: [
      {
        type: 'Valid',
        status: 'False',
        reason: inForce ? 'LastGoodConfigKept' : 'NoValidConfig',
        message: inForce
          ? 'the new configuration is invalid; the last valid one stays in force until it is fixed'
          : 'no valid configuration has been loaded yet; no Service gets an address until one is',
        lastTransitionTime: time,
      },
    ],
  };
}
