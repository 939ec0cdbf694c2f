/**
 * What the residency rules are held to: the region(s) everything must stay in and the egress that is declared. The
 * rules read these from each view they are given and import nothing of any app, so any CDK app can register the
 * pack, or scan its own cloud assembly, with settings of its own. The defaults are those of the NHS login relying
 * party this package builds.
 */

/** Options of the residency pack, the scanner, the report and `check:residency`. */
export interface ResidencyOptions {
  /**
   * Regions in which resources may exist and data be stored and processed. A stack must be pinned to one of them,
   * and every region a template names must be one of them.
   *
   * @default ['eu-west-2'] (London)
   */
  readonly allowedRegions?: readonly string[];
  /**
   * Hosts outside AWS this service is declared to send data to (host names, lower case, no port). Any place a
   * template can name an outside host (an HTTP integration, an OpenAPI body, an AppSync HTTP data source, a Step
   * Functions HTTP task, an EventBridge API destination or connection, a Lambda environment value, an SNS HTTPS
   * subscription, a Firehose HTTP endpoint) may name one of these, over https. Backends a resource declares with
   * `declareBackend` are declared egress too, for that resource.
   *
   * @default the NHS login issuers' hosts: auth.login.nhs.uk, auth.aos.signin.nhs.uk, auth.sandpit.signin.nhs.uk
   */
  readonly egressHosts?: readonly string[];
  /**
   * Lambda environment variables that hold a URL the browser is sent to, not a place the function calls: the
   * service's own public URL (where the browser comes back to) and links shown to the user (NHS login's settings
   * page). Their hosts are not egress anywhere in that function's environment.
   *
   * @default ['NHS_LOGIN_REDIRECT_URI', 'NHS_LOGIN_SETTINGS_URL']
   */
  readonly selfUrlVariables?: readonly string[];
}

/** The options with every default filled in. */
export interface ResidencySettings {
  readonly allowedRegions: readonly string[];
  readonly egressHosts: readonly string[];
  readonly selfUrlVariables: readonly string[];
}

/** The region this package's own service is held to. */
export const UK_REGION = 'eu-west-2';

/** The NHS login issuers' hosts (sandpit, integration, production). */
export const NHS_LOGIN_ISSUER_HOSTS: readonly string[] = ['auth.sandpit.signin.nhs.uk', 'auth.aos.signin.nhs.uk', 'auth.login.nhs.uk'];

/** The settings used when none are given. */
export const DEFAULT_RESIDENCY_SETTINGS: ResidencySettings = {
  allowedRegions: [UK_REGION],
  egressHosts: NHS_LOGIN_ISSUER_HOSTS,
  selfUrlVariables: ['NHS_LOGIN_REDIRECT_URI', 'NHS_LOGIN_SETTINGS_URL'],
};

const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const HOST = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

/**
 * Fills in the defaults and checks the options.
 *
 * @throws Error naming the option and the value when a region is not a region name or a host is not a host name
 */
export function resolveResidencySettings(options: ResidencyOptions = {}): ResidencySettings {
  const allowedRegions = options.allowedRegions ?? DEFAULT_RESIDENCY_SETTINGS.allowedRegions;
  if (allowedRegions.length === 0) throw new Error('allowedRegions: at least one region is needed');
  for (const r of allowedRegions) if (!REGION.test(r)) throw new Error(`allowedRegions: "${r}" is not an AWS region name such as eu-west-2`);
  const egressHosts = (options.egressHosts ?? DEFAULT_RESIDENCY_SETTINGS.egressHosts).map((h) => h.toLowerCase());
  for (const h of egressHosts) if (!HOST.test(h)) throw new Error(`egressHosts: "${h}" is not a host name such as api.example.org (no scheme, port or path)`);
  const selfUrlVariables = options.selfUrlVariables ?? DEFAULT_RESIDENCY_SETTINGS.selfUrlVariables;
  for (const v of selfUrlVariables) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(v)) throw new Error(`selfUrlVariables: "${v}" is not an environment variable name`);
  return { allowedRegions: [...allowedRegions], egressHosts, selfUrlVariables: [...selfUrlVariables] };
}
