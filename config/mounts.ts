import { z } from 'zod';

/**
 * Mounts: the partner's own pages and APIs, served through this API behind the sign-in. Each is a path prefix
 * (served as the prefix and everything below it), the methods it accepts, a kind, a minimum assurance and a target.
 *
 * - `page`: browser navigation. No session (or an expired one) sends the browser to sign in and back to the exact
 *   path and query; too low an assurance starts a step-up sign-in and comes back.
 * - `api`: JSON 401 without a session, JSON 403 with the step-up hint when the assurance is too low.
 * - `public`: no session needed (a start page, static assets, health checks).
 *
 * Targets stay in the stage's account and eu-west-2 (checked here, so a bad one fails synth with a clear message,
 * and again by the residency rules over the template).
 */

export const MOUNT_KINDS = ['page', 'api', 'public'] as const;
export type MountKind = (typeof MOUNT_KINDS)[number];

export const MOUNT_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type MountMethod = (typeof MOUNT_METHODS)[number];

const PATH = /^(\/[a-z0-9][a-z0-9._~-]*)+$/;

const lambdaTarget = z
  .object({
    type: z.literal('lambda'),
    /** `arn:aws:lambda:eu-west-2:<stage account>:function:<name>[:<alias or version>]` */
    functionArn: z.string(),
  })
  .strict();

const httpTarget = z
  .object({
    type: z.literal('http'),
    /** The backend's base URL (`https://`, no query or fragment); the mount's sub-path is appended to it. */
    url: z.string(),
  })
  .strict();

const vpcLinkTarget = z
  .object({
    type: z.literal('vpcLink'),
    /** An existing API Gateway VPC link (REST APIs: to a Network Load Balancer). */
    vpcLinkId: z.string().regex(/^[a-z0-9]{1,32}$/, 'an API Gateway VPC link id such as abc123'),
    /** The Network Load Balancer's DNS name: `<name>-<id>.elb.eu-west-2.amazonaws.com`. */
    nlbDnsName: z.string(),
    /** @default 443 */
    port: z.number().int().min(1).max(65535).default(443),
    /** TLS to the load balancer unless it only listens in plain HTTP inside the VPC. @default 'https' */
    protocol: z.enum(['https', 'http']).default('https'),
  })
  .strict();

export const mountTargetSchema = z.discriminatedUnion('type', [lambdaTarget, httpTarget, vpcLinkTarget]);
export type MountTarget = z.output<typeof mountTargetSchema>;

export const mountSchema = z
  .object({
    /** Path prefix such as `/app` or `/api/records`; lower case, no trailing slash. */
    path: z.string().regex(PATH, 'a path prefix such as /app or /api/records (lower case, no trailing slash)'),
    kind: z.enum(MOUNT_KINDS),
    /** Methods the mount accepts. @default ['GET'] */
    methods: z.array(z.enum(MOUNT_METHODS)).min(1).default(['GET']),
    /** Minimum assurance profile (a configured profile name); not for `public` mounts. @default the default profile */
    assurance: z.string().optional(),
    /** A stricter (or looser) profile for some methods, e.g. `{ POST: 'high' }`. */
    methodAssurance: z.partialRecord(z.enum(MOUNT_METHODS), z.string()).default({}),
    target: mountTargetSchema,
  })
  .strict();

export type MountInput = z.input<typeof mountSchema>;
export type Mount = z.output<typeof mountSchema>;

/** Paths the relying party serves itself; a mount may not take them or sit below them. */
const RESERVED = ['/auth', '/api/me'];

const LAMBDA_ARN = /^arn:aws:lambda:([a-z0-9-]+):(\d{12}):function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]{1,128})?$/;
/** A region name inside an AWS (or Lambda function URL) host: `.eu-west-2.amazonaws.com`, `.lambda-url.us-east-1.on.aws`. */
const AWS_HOST_REGION = /(?:^|\.)([a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d)\.(?:amazonaws\.com(?:\.cn)?|on\.aws)$/;
const AWS_HOST = /(?:^|\.)(?:amazonaws\.com(?:\.cn)?|on\.aws|cloudfront\.net|awsglobalaccelerator\.com)$/;

export interface MountIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

/**
 * The rules no schema shape can say: paths unique and clear of the relying party's own, assurance names configured,
 * targets in the stage's account and region. Returns each problem with the key it concerns.
 */
export function mountIssues(
  mounts: readonly Mount[],
  context: { readonly account: string; readonly region: string; readonly profiles: readonly string[]; readonly allowLoopbackHttp: boolean },
): MountIssue[] {
  const issues: MountIssue[] = [];
  const seen = new Set<string>();
  mounts.forEach((m, i) => {
    const at = (...rest: (string | number)[]) => ['mounts', i, ...rest];
    if (seen.has(m.path)) issues.push({ path: at('path'), message: 'a path no other mount uses' });
    seen.add(m.path);
    if (RESERVED.some((r) => m.path === r || m.path.startsWith(`${r}/`))) {
      issues.push({ path: at('path'), message: `a path outside ${RESERVED.join(' and ')} (the relying party serves those itself)` });
    }
    if (new Set(m.methods).size !== m.methods.length) issues.push({ path: at('methods'), message: 'a list without repeats' });
    const names = `one of the configured profiles: ${context.profiles.join(', ')}`;
    if (m.kind === 'public') {
      if (m.assurance !== undefined) issues.push({ path: at('assurance'), message: 'nothing: a public mount needs no session' });
      if (Object.keys(m.methodAssurance).length > 0) issues.push({ path: at('methodAssurance'), message: 'nothing: a public mount needs no session' });
    } else if (m.assurance !== undefined && !context.profiles.includes(m.assurance)) {
      issues.push({ path: at('assurance'), message: names });
    }
    for (const [method, profile] of Object.entries(m.methodAssurance)) {
      if (!(m.methods as readonly string[]).includes(method))
        issues.push({ path: at('methodAssurance', method), message: `a method the mount accepts (${m.methods.join(', ')})` });
      else if (profile !== undefined && !context.profiles.includes(profile)) issues.push({ path: at('methodAssurance', method), message: names });
    }
    issues.push(...targetIssues(m.target, context).map((issue) => ({ path: at('target', ...issue.path), message: issue.message })));
  });
  return issues;
}

function targetIssues(target: MountTarget, context: { readonly account: string; readonly region: string; readonly allowLoopbackHttp: boolean }): MountIssue[] {
  const where = `${context.region} and account ${context.account}`;
  switch (target.type) {
    case 'lambda': {
      const m = LAMBDA_ARN.exec(target.functionArn);
      if (!m || m[1] !== context.region || m[2] !== context.account) {
        return [{ path: ['functionArn'], message: `a Lambda function ARN in ${where} (arn:aws:lambda:${context.region}:${context.account}:function:<name>)` }];
      }
      return [];
    }
    case 'http': {
      const url = parseUrl(target.url);
      const loopback = context.allowLoopbackHttp && url?.protocol === 'http:' && ['127.0.0.1', 'localhost'].includes(url.hostname);
      if (!url || (url.protocol !== 'https:' && !loopback) || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
        return [{ path: ['url'], message: 'an https URL with no query, fragment or credentials' }];
      }
      return awsHostIssues(url.hostname, context.region, ['url']);
    }
    case 'vpcLink': {
      const expected = new RegExp(`^[a-z0-9-]+\\.elb\\.${context.region.replace(/-/g, '\\-')}\\.amazonaws\\.com$`);
      if (!expected.test(target.nlbDnsName))
        return [{ path: ['nlbDnsName'], message: `a Network Load Balancer DNS name in ${context.region} (<name>-<id>.elb.${context.region}.amazonaws.com)` }];
      return [];
    }
  }
}

/** An AWS host must name the stage's region; global and edge hosts (CloudFront, Global Accelerator, bare endpoints) are refused. */
export function awsHostIssues(hostname: string, region: string, path: (string | number)[]): MountIssue[] {
  const host = hostname.toLowerCase();
  if (!AWS_HOST.test(host)) return [];
  const named = AWS_HOST_REGION.exec(host)?.[1];
  if (named === region) return [];
  return [
    {
      path,
      message: named
        ? `a host in ${region}, not ${named} (data sent there is processed outside ${region})`
        : `a regional host in ${region}: ${host} is a global or edge endpoint, which processes data outside ${region}`,
    },
  ];
}

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** The API Gateway resources a mount occupies: the prefix itself and everything below it. */
export const mountResources = (path: string): [string, string] => [path, `${path}/{proxy+}`];
