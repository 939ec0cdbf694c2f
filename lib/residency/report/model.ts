/**
 * The shape of the residency report, shared by the code that builds it, renders it and writes it, and by anyone
 * reading `residency-report.json`: changing a field here changes what reviewers and machines receive.
 */
import type { ResidencyFinding } from '../engine';

/** One stack of the report. */
export interface ReportStack {
  readonly stack: string;
  readonly account: string;
  readonly region: string;
  readonly template: string;
}

/** One row of the data map. */
export interface DataMapEntry {
  readonly what: string;
  readonly type: string;
  readonly logicalId: string;
  readonly stack: string;
  readonly template: string;
  readonly region: string;
  readonly encryptionKey: string;
  readonly retention: string;
  readonly backup: string;
  readonly purpose: string;
  readonly personalData: string;
}

/** One egress of the service. */
export interface EgressEntry {
  readonly url: string;
  readonly host: string;
  readonly functions: readonly string[];
}

/** The residency report: what reviewers read instead of the templates. */
export interface ResidencyReport {
  readonly allowedRegion: string;
  readonly stacks: readonly ReportStack[];
  readonly dataMap: readonly DataMapEntry[];
  readonly egress: readonly EgressEntry[];
  readonly rules: readonly { readonly id: string; readonly info: string }[];
  readonly findings: readonly ResidencyFinding[];
  readonly passed: boolean;
}
