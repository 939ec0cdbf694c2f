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
  /**
   * `nhs-login`: the NHS login issuer the functions call; `backend`: a backend API methods forward requests to;
   * `declared`: any other use of a declared egress host (an HTTP task, a subscription, an API destination...).
   */
  readonly kind: 'nhs-login' | 'backend' | 'declared';
  /** The issuer, or the backend's base URL (a proxy resource's `/{proxy}` left off). */
  readonly url: string;
  readonly host: string;
  /** The functions configured with the issuer (empty for a backend). */
  readonly functions: readonly string[];
  /** The API methods that forward to the backend, `<METHOD> <resource path> (<stack>)` (empty for the issuer). */
  readonly methods: readonly string[];
  /** How a backend is reached: over the internet, or through a VPC link to a load balancer in the region. */
  readonly connection?: 'internet' | 'vpc-link';
  /** What the backend's declaration (`declareBackend`) says it is, or `undeclared`. */
  readonly purpose?: string;
  /** For `declared`: each use, `<what>: <logical id> <type> <property path> (<stack>)`. */
  readonly resources?: readonly string[];
}

/** The residency report: what reviewers read instead of the templates. */
export interface ResidencyReport {
  /** The allowed regions, as words (`eu-west-2`, or `eu-west-2 or eu-west-1`). */
  readonly allowedRegion: string;
  /** The declared egress hosts the rules were held to (besides backends declared in the templates). */
  readonly egressHosts: readonly string[];
  readonly stacks: readonly ReportStack[];
  readonly dataMap: readonly DataMapEntry[];
  readonly egress: readonly EgressEntry[];
  readonly rules: readonly { readonly id: string; readonly info: string }[];
  readonly findings: readonly ResidencyFinding[];
  readonly passed: boolean;
}
