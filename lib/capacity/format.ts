/** The capacity of a stage as Markdown: one table of limits, then the binding limit of each flow and what to raise. */
import type { Binding, Capacity, Limit } from './model';

/** A rate for the table: `∞` off the flow's path, one decimal below 100. */
export function rate(n: number): string {
  if (!Number.isFinite(n)) return '—';
  return n.toLocaleString('en-GB', { maximumFractionDigits: n < 100 ? 1 : 0 });
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

function row(l: Limit): string {
  const value = l.note ? `${l.value}; ${l.note}` : l.value;
  const scoped = l.scope === 'client' ? `${rate(l.signInsPerSecond)} per IP` : rate(l.signInsPerSecond);
  const scopedApi = l.scope === 'client' ? `${rate(l.apiRequestsPerSecond)} per IP` : rate(l.apiRequestsPerSecond);
  return `| ${[l.limit, value, l.source, scoped, scopedApi].map(cell).join(' | ')} |`;
}

function binding(flow: string, unit: string, b: Binding): string {
  const next = b.next ? ` Next: ${b.next.limit.limit} at ${rate(b.next.perSecond)} ${unit}.` : '';
  return `- **${flow}: ${rate(b.perSecond)} ${unit}**, bound by ${b.limit.limit}. Raise: ${b.limit.raise}.${next}`;
}

export function formatCapacity(c: Capacity): string {
  return [
    `## Capacity of the ${c.stage} stage (eu-west-2)`,
    '',
    '| limit | value | source | sign-ins/s | API rps |',
    '|---|---|---|---|---|',
    ...c.limits.map(row),
    '',
    binding('Sign-ins', 'sign-ins/s', c.signIns),
    binding('API requests', 'rps', c.apiRequests),
    ...c.warnings.map((w) => `- **Warning:** ${w}`),
    '',
  ].join('\n');
}
