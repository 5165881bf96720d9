// The report the sync posts on the pull request of a commit it applied (or refused).
import type { Diagnostic } from '@lbops/schemas';
import { cell, diagnosticsTable, usageBar, type MarkdownOptions } from './render-plan.js';
import type { FamilyUsage } from './plan.js';

export const SYNC_MARKER = '<!-- lbops:sync -->';

export interface AppliedReport {
  readonly commit: string;
  readonly appliedAt: string;
  readonly applied: number;
  readonly pruned: readonly string[];
  readonly usage: ReadonlyArray<{
    readonly pool: string;
    readonly family: 'ipv4' | 'ipv6';
    readonly usage: FamilyUsage;
  }>;
  readonly services: ReadonlyArray<{
    readonly service: string;
    readonly before: readonly string[];
    readonly after: readonly string[];
  }>;
  /** False when allocation did not settle in time (the report shows what was seen). */
  readonly settled: boolean;
}

const short = (sha: string) => sha.slice(0, 7);
const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;

export function renderApplied(report: AppliedReport): string {
  const out = [
    SYNC_MARKER,
    `### lbops sync — ✅ ${code(short(report.commit))} applied to the cluster at ${report.appliedAt}`,
    '',
    `${report.applied} resource${report.applied === 1 ? '' : 's'} applied${report.pruned.length > 0 ? `, ${report.pruned.length} pruned (${report.pruned.map(code).join(', ')})` : ''}.${report.settled ? '' : ' _Allocation had not settled when this was written._'}`,
    '',
  ];
  if (report.services.length > 0) {
    out.push('#### Services', '', '| Service | Before | After |', '| --- | --- | --- |');
    for (const s of report.services)
      out.push(
        `| ${code(s.service)} | ${s.before.map(code).join(', ') || '—'} | ${s.after.map(code).join(', ') || '—'} |`,
      );
    out.push('');
  } else out.push('No Service got or changed an address.', '');
  if (report.usage.length > 0) {
    out.push('#### Pool usage', '', '| Pool | Family | Used | |', '| --- | --- | --- | --- |');
    for (const u of report.usage)
      out.push(
        `| ${code(u.pool)} | ${u.family === 'ipv4' ? 'IPv4' : 'IPv6'} | ${u.usage.used} / ${u.usage.size} | ${usageBar(u.usage)} |`,
      );
    out.push('');
  }
  return out.join('\n').trimEnd() + '\n';
}

export function renderRefused(
  commit: string,
  errors: readonly Diagnostic[],
  inForce: string | undefined,
  options: MarkdownOptions,
): string {
  return [
    SYNC_MARKER,
    `### lbops sync — ❌ ${code(short(commit))} was not applied: ${errors.length} error${errors.length === 1 ? '' : 's'}`,
    '',
    cell(
      inForce === undefined
        ? 'No valid commit has been applied yet: the cluster configuration is unchanged.'
        : `The cluster keeps ${short(inForce)}, the last valid commit, until a fix is pushed.`,
    ),
    '',
    ...diagnosticsTable(errors, commit, options),
    '',
  ].join('\n');
}
