// Renders a Plan for people: Markdown for a pull-request comment (GitHub-flavoured, one hidden marker so the
// comment is found and edited in place), plain text for a terminal, JSON for tools.
import type { Diagnostic } from '@lbops/schemas';
import {
  percent,
  type FamilyUsage,
  type Plan,
  type ResourceChange,
  type RiskLevel,
  type ServiceImpact,
} from './plan.js';

/** The hidden marker of the sticky plan comment. */
export const PLAN_MARKER = '<!-- lbops:plan -->';

export interface MarkdownOptions {
  /** https://github.com/OWNER/REPO: diagnostics link to the lines of the files at the head commit. */
  readonly repositoryUrl?: string | undefined;
  /** How base and head were named on the command line (shown beside the SHAs). */
  readonly baseRef?: string | undefined;
  readonly headRef?: string | undefined;
  /** Where the current assignments came from ("state file exported 2026-…", "cluster https://…"). */
  readonly assignmentsSource?: string | undefined;
}

const ICON: Readonly<Record<RiskLevel, string>> = { none: '✅', low: '✅', medium: '⚠️', high: '🛑' };
const short = (sha: string) => sha.slice(0, 7);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Escapes text for a GitHub table cell: pipes, HTML, and line breaks. */
export function cell(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ');
}
const code = (text: string) => (text === '' ? '' : `\`${text.replace(/`/g, "'")}\``);

/** The one-line verdict: what a reviewer must know first. */
export function verdict(plan: Plan): string {
  if (!plan.head.valid)
    return `❌ **invalid**: ${plural(plan.head.errors.length, 'error')} in the head configuration — the sync will not apply this commit`;
  const first = plan.risk.reasons[0];
  if (plan.risk.level === 'none') return '✅ **no change** to pools, advertisements or peers';
  return `${ICON[plan.risk.level]} **${plan.risk.level} risk**: ${first ?? ''}`;
}

/** `██████░░░░ 60%`: a bar GitHub shows in any table cell, in any theme. */
export function usageBar(usage: FamilyUsage | undefined, width = 10): string {
  if (usage === undefined) return '—';
  const p = percent(usage);
  const filled =
    usage.size === 0n ? 0 : Math.min(width, Math.round((Number(usage.used) / Number(usage.size)) * width));
  return `\`${'█'.repeat(filled)}${'░'.repeat(width - filled)}\` ${p}%`;
}

const usageText = (u: FamilyUsage | undefined) =>
  u === undefined ? '—' : `${u.used} / ${u.size} used, ${u.free} free`;

function link(d: Diagnostic, commit: string, options: MarkdownOptions): string {
  const where = `${d.file}:${d.line}:${d.column}`;
  if (options.repositoryUrl === undefined) return code(where);
  const range = d.endLine !== undefined && d.endLine > d.line ? `#L${d.line}-L${d.endLine}` : `#L${d.line}`;
  const url = `${options.repositoryUrl}/blob/${commit}/${d.file.split('/').map(encodeURIComponent).join('/')}${range}`;
  return `[${cell(where)}](${url})`;
}

/** A table of diagnostics, each linked to its line in `commit` when the repository URL is known. */
export function diagnosticsTable(
  list: readonly Diagnostic[],
  commit: string,
  options: MarkdownOptions,
): string[] {
  const lines = ['| Where | Code | Problem |', '| --- | --- | --- |'];
  for (const d of list) {
    const message = d.hint === undefined ? cell(d.message) : `${cell(d.message)}<br>hint: ${cell(d.hint)}`;
    lines.push(`| ${link(d, commit, options)} | ${code(d.code)} | ${message} |`);
  }
  return lines;
}

const IMPACT_LABEL: Readonly<Record<ServiceImpact['kind'], string>> = {
  changed: '🔀 IP changes',
  lost: '⛔ loses its IP',
  'requested-invalid': '⛔ requested IP no longer allowed',
  assigned: '🆕 gets an IP',
  'still-pending': '⏳ stays pending',
  repooled: '↪️ same IP, other pool',
};
const IMPACT_ORDER: readonly ServiceImpact['kind'][] = [
  'lost',
  'requested-invalid',
  'changed',
  'assigned',
  'repooled',
  'still-pending',
];

function addresses(list: readonly string[], pool: string | undefined): string {
  if (list.length === 0) return '—';
  return `${list.map(code).join(', ')}${pool === undefined ? '' : ` (${cell(pool)})`}`;
}

function impactRows(impacts: readonly ServiceImpact[]): string[] {
  const lines = ['| Service | Effect | Before | After | Why |', '| --- | --- | --- | --- | --- |'];
  const sorted = [...impacts].sort(
    (a, b) => IMPACT_ORDER.indexOf(a.kind) - IMPACT_ORDER.indexOf(b.kind) || (a.service < b.service ? -1 : 1),
  );
  for (const s of sorted)
    lines.push(
      `| ${code(s.service)} | ${IMPACT_LABEL[s.kind]} | ${addresses(s.before, s.poolBefore)} | ${addresses(s.after, s.poolAfter)} | ${cell(s.reason ?? '')} |`,
    );
  return lines;
}

function resourceDetail(r: ResourceChange): string {
  if (
    r.kind === 'IPAddressPool' &&
    r.change === 'changed' &&
    r.addressesBefore !== undefined &&
    r.addressesAfter !== undefined
  ) {
    const before = r.addressesBefore.map(code).join(', ');
    const after = r.addressesAfter.map(code).join(', ');
    const rest = r.fields.filter((f) => f !== 'addresses' && f !== 'families');
    return `${before === after ? '' : `${before} → ${after}`}${rest.length > 0 ? `${before === after ? '' : '; '}${rest.map(code).join(', ')}` : ''}`;
  }
  if (r.change === 'added' && r.addressesAfter !== undefined) return r.addressesAfter.map(code).join(', ');
  if (r.change === 'removed' && r.addressesBefore !== undefined)
    return r.addressesBefore.map(code).join(', ');
  const parts = r.fields.map(code);
  if (r.selection !== undefined) {
    if (r.selection.added.length > 0)
      parts.push(`now also announces ${r.selection.added.map(code).join(', ')}`);
    if (r.selection.removed.length > 0)
      parts.push(`no longer announces ${r.selection.removed.map(code).join(', ')}`);
  }
  return parts.join('; ');
}

function details(summary: string, body: readonly string[]): string[] {
  return ['<details>', `<summary>${summary}</summary>`, '', ...body, '', '</details>', ''];
}

/** The pull-request comment: marker, verdict, tables, usage bars, details collapsed. */
export function renderMarkdown(plan: Plan, options: MarkdownOptions = {}): string {
  const out: string[] = [PLAN_MARKER, `### lbops plan — ${verdict(plan)}`, ''];
  const ref = (name: string | undefined, sha: string) =>
    `${name !== undefined && name !== sha ? `${code(name)} ` : ''}${code(short(sha))}`;
  out.push(
    `${ref(options.baseRef, plan.base.commit)} → ${ref(options.headRef, plan.head.commit)} · head ${plan.head.valid ? 'valid' : '**invalid**'} (${plural(plan.head.files, 'file')}, ${plural(plan.head.errors.length, 'error')}, ${plural(plan.head.warnings.length, 'warning')}) · risk **${plan.risk.level}**`,
    '',
  );
  if (plan.risk.reasons.length > 1) {
    out.push(...plan.risk.reasons.map((r) => `- ${cell(r)}`), '');
  }
  if (!plan.head.valid) {
    out.push('#### Errors', '', ...diagnosticsTable(plan.head.errors, plan.head.commit, options), '');
  }
  const shown = (plan.services ?? []).filter((s) => s.kind !== 'still-pending');
  if (plan.services !== undefined && plan.head.valid) {
    if (shown.length > 0) out.push('#### Services', '', ...impactRows(shown), '');
    else out.push('No Service changes its address.', '');
  } else if (plan.head.valid && plan.base.valid && plan.services === undefined) {
    out.push(
      '_No current assignments were given (`--state` or `--kubeconfig`): the effect on Services is not computed._',
      '',
    );
  }
  if (plan.usage.length > 0 && plan.head.valid) {
    out.push(
      '#### Pool usage',
      '',
      '| Pool | Family | Before | After | After, used |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const u of plan.usage)
      out.push(
        `| ${code(u.pool)} | ${u.family === 'ipv4' ? 'IPv4' : 'IPv6'} | ${usageText(u.before)} | ${usageText(u.after)} | ${u.after === undefined ? '_removed_' : usageBar(u.after)} |`,
      );
    out.push('');
  }
  if (plan.resources.length > 0) {
    out.push(
      '#### Configuration changes',
      '',
      '| Kind | Name | Change | Details |',
      '| --- | --- | --- | --- |',
    );
    for (const r of plan.resources) {
      const name = r.namespace === '' ? r.name : `${r.namespace}/${r.name}`;
      out.push(`| ${r.kind} | ${code(name)} | ${r.change} | ${resourceDetail(r)} |`);
    }
    out.push('');
  } else if (plan.head.valid && plan.base.valid) {
    out.push('No pool, advertisement, peer, BFD profile or community changes.', '');
  }
  if (plan.head.warnings.length > 0)
    out.push(
      ...details(
        `Warnings (${plan.head.warnings.length})`,
        diagnosticsTable(plan.head.warnings, plan.head.commit, options),
      ),
    );
  const pending = (plan.services ?? []).filter((s) => s.kind === 'still-pending');
  if (pending.length > 0)
    out.push(...details(`Services pending before and after (${pending.length})`, impactRows(pending)));
  if (!plan.base.valid)
    out.push(
      ...details(`The base configuration is invalid (${plural(plan.base.errors.length, 'error')})`, [
        'Pool changes are not compared; Service effects are computed from the recorded addresses.',
      ]),
    );
  const notes: string[] = [];
  if (plan.drift.length > 0)
    notes.push(
      `- ${plural(plan.drift.length, 'Service')} already differ from what the base configuration gives them (cluster drift, not this change): ${plan.drift.map(code).join(', ')}`,
    );
  if (plan.invalidServices.length > 0)
    notes.push(
      ...plan.invalidServices.map((s) => `- ${code(s.service)} has invalid annotations: ${cell(s.message)}`),
    );
  notes.push(
    `- Computed with the controller's allocator: the recorded addresses restored into the base pools, then the head pools applied.${options.assignmentsSource === undefined ? '' : ` Assignments: ${cell(options.assignmentsSource)}.`}`,
  );
  out.push(...details('How this plan was computed', notes));
  return (
    out
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trimEnd() + '\n'
  );
}

/** Plain text for a terminal. */
export function renderText(plan: Plan): string {
  const out: string[] = [];
  out.push(
    `lbops plan ${short(plan.base.commit)}..${short(plan.head.commit)}: ${verdict(plan).replace(/\*\*/g, '')}`,
  );
  for (const r of plan.risk.reasons) out.push(`  - ${r}`);
  for (const d of plan.head.errors)
    out.push(`${d.file}:${d.line}:${d.column}: error[${d.code}]: ${d.message}`);
  for (const s of plan.services ?? [])
    if (s.kind !== 'still-pending')
      out.push(
        `service ${s.service}: ${s.kind} ${s.before.join(',') || '-'} -> ${s.after.join(',') || '-'}${s.reason === undefined ? '' : ` (${s.reason})`}`,
      );
  for (const u of plan.usage)
    out.push(`pool ${u.pool} ${u.family}: ${usageText(u.before)} -> ${usageText(u.after)}`);
  for (const r of plan.resources)
    out.push(
      `${r.change} ${r.kind} ${r.namespace === '' ? '' : `${r.namespace}/`}${r.name}${r.fields.length > 0 ? ` (${r.fields.join(', ')})` : ''}`,
    );
  return out.join('\n') + '\n';
}

/** JSON (bigints as decimal strings: an IPv6 pool's size does not fit a double). */
export function renderJson(plan: Plan): string {
  return JSON.stringify(plan, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n';
}
