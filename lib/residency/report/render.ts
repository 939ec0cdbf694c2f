/**
 * Reviewers read Markdown, not JSON: this turns the report into the page they sign off, including what no template
 * can show. Kept pure so the same report always renders to the same text.
 */
import { formatFinding } from '../engine';
import { ISSUER_VARIABLE } from './egress';
import type { ResidencyReport } from './model';

/** Escapes what would break a Markdown table cell. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Renders the report as Markdown for reviewers. Pure. */
export function renderResidencyReport(report: ResidencyReport): string {
  const lines: string[] = [];
  lines.push('# UK residency report', '');
  lines.push(
    `Every resource of this service must exist, and every piece of data be stored and processed, in **${report.allowedRegion}** (London). ` +
      'This report is generated from the synthesized cloud assembly on every synth; the rules behind it and what no template can show are explained in `docs/residency.md`.',
    '',
  );
  lines.push('## Result', '');
  if (report.passed) {
    lines.push(`**Pass**: ${report.rules.length} residency rules found nothing outside ${report.allowedRegion}.`, '');
  } else {
    lines.push(`**FAIL**: ${report.findings.length} finding(s). Each must be fixed; residency findings cannot be acknowledged.`, '');
    lines.push('```', ...report.findings.map(formatFinding), '```', '');
  }
  lines.push('## Stacks', '', '| Stack | Account | Region | Template |', '|---|---|---|---|');
  for (const s of report.stacks) lines.push(`| ${cell(s.stack)} | ${cell(s.account)} | ${cell(s.region)} | ${cell(s.template)} |`);
  if (report.stacks.length === 0) lines.push('| (a lone template: no stack environment) | | | |');
  lines.push('', '## Data map', '');
  lines.push('Every resource that holds or carries data, where it is, how it is protected and how long data stays in it.', '');
  lines.push(
    '| What | Logical id | Stack | Region | Encryption key | Retention / TTL | Backup | Purpose | Personal data |',
    '|---|---|---|---|---|---|---|---|---|',
  );
  for (const d of report.dataMap) {
    lines.push(
      `| ${cell(d.what)} | ${cell(d.logicalId)} | ${cell(d.stack)} | ${cell(d.region)} | ${cell(d.encryptionKey)} | ${cell(d.retention)} | ${cell(d.backup)} | ${cell(d.purpose)} | ${cell(d.personalData)} |`,
    );
  }
  if (report.dataMap.length === 0) lines.push('| (none) | | | | | | | | |');
  lines.push('', '## Egress', '');
  const issuers = report.egress.filter((e) => e.kind === 'nhs-login');
  const backends = report.egress.filter((e) => e.kind === 'backend');
  const declared = report.egress.filter((e) => e.kind === 'declared');
  if (report.egress.length === 0) {
    lines.push(`No function declares an NHS login issuer (${ISSUER_VARIABLE}); no egress is configured.`);
  } else if (issuers.length === 0) {
    lines.push(`No function declares an NHS login issuer (${ISSUER_VARIABLE}).`);
  } else {
    lines.push("The functions' only calls leaving AWS go to the NHS login issuer (discovery, token, JWKS, userinfo):", '');
    for (const e of issuers) lines.push(`- \`${e.url}\` (host \`${e.host}\`), called by ${e.functions.join(', ')}`);
  }
  if (backends.length > 0) {
    lines.push(
      '',
      "The declared backends: the API forwards requests to these and nowhere else (the stage's mounts; requests to a " +
        'page or api mount carry the identity headers and the signed identity assertion, requests to a public mount none):',
      '',
    );
    for (const e of backends) {
      const via = e.connection === 'vpc-link' ? 'through a VPC link to a load balancer in the region' : 'over the internet';
      lines.push(`- \`${e.url}\` (host \`${e.host}\`, ${via}): ${e.purpose ?? 'undeclared'}; used by ${e.methods.join(', ')}`);
    }
  }
  if (declared.length > 0) {
    lines.push('', 'Other uses of declared egress (the hosts declared as egress, each with the resources that send data to it):', '');
    for (const e of declared) lines.push(`- \`${e.host}\`: ${(e.resources ?? []).join('; ')}`);
  }
  lines.push(
    '',
    `Declared egress hosts: ${report.egressHosts.length > 0 ? report.egressHosts.map((h) => `\`${h}\``).join(', ') : 'none'}, and the backends declared above.`,
  );
  lines.push('', '## What no template can show', '');
  lines.push(
    '- AWS Organizations backup policies can add backup plans (and copy actions to other regions) outside any template: the landing zone must confirm none applies.',
    `- The CDK bootstrap must exist in ${report.allowedRegion} only; the checks refuse assemblies that would publish elsewhere, but only the account can show no other bootstrap exists.`,
    `- What code does at run time: every function's execution role denies requests outside ${report.allowedRegion}, and a landing-zone SCP should do the same for the account.`,
    '- IAM names and tags are replicated globally and must hold no personal data (a review point).',
  );
  lines.push('', '## Rules checked', '', '| Rule | Requires |', '|---|---|');
  for (const r of report.rules) lines.push(`| ${r.id} | ${cell(r.info)} |`);
  lines.push('');
  return lines.join('\n');
}
