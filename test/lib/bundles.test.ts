import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { FUNCTION_NAMES, functionSpec, HANDLERS_DIR, type FunctionName } from '../../lib/function-table';
import { FUNCTION_BUILD_OPTIONS } from '../../lib/relying-party-function';

/**
 * Each function ships exactly what it uses: every entry point bundled with the functions' own esbuild options, and
 * the packages each bundle holds read from esbuild's metafile.
 */
const out = mkdtempSync(path.join(tmpdir(), 'rp-bundles-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** The npm packages a bundle holds code of (the innermost `node_modules/<package>` of each input). */
function packagesOf(metafile: Metafile): Set<string> {
  const packages = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*\/node_modules\/)/.exec(input);
      if (match?.[1] && bytesInOutput > 0) packages.add(match[1]);
    }
  }
  return packages;
}

let bundles: Record<FunctionName, Set<string>>;
beforeAll(async () => {
  const entries = await Promise.all(
    FUNCTION_NAMES.map(async (name) => {
      const result = await build({
        ...FUNCTION_BUILD_OPTIONS,
        entryPoints: [path.join(HANDLERS_DIR, `${name}.ts`)],
        outfile: path.join(out, name, 'index.mjs'),
        write: false,
        metafile: true,
        logLevel: 'silent',
      });
      return [name, packagesOf(result.metafile)] as const;
    }),
  );
  bundles = Object.fromEntries(entries) as Record<FunctionName, Set<string>>;
}, 120_000);

const holding = (pkg: string) => FUNCTION_NAMES.filter((name) => bundles[name].has(pkg)).sort();

describe('function bundles', () => {
  it('are read from the metafile (the check below would pass on empty sets otherwise)', () => {
    expect(bundles.callback.has('@aws-lambda-powertools/logger')).toBe(true);
    expect(bundles.me.size).toBe(0);
  });

  it('hold no zod: the environment is read with plain code', () => {
    expect(holding('zod')).toEqual([]);
  });

  it.each<[string, FunctionName[]]>([
    // The protocol libraries: only the functions that talk to NHS login (the authorization URL, the code exchange).
    ['openid-client', ['callback', 'login']],
    ['oauth4webapi', ['callback', 'login']],
    ['jose', ['callback', 'login']],
    // KMS: the client assertion (callback) and the settings link's asserted_login_identity (nhs-login-settings), the
    // identity assertion (authorizer), its public key (jwks).
    ['@aws-sdk/client-kms', ['authorizer', 'callback', 'jwks', 'nhs-login-settings']],
    // The sessions table: not in jwks, start, signed-out or me.
    ['@aws-sdk/client-dynamodb', ['authorizer', 'callback', 'login', 'logout', 'nhs-login-settings', 'session', 'session-refresh']],
  ])('hold %s in exactly %j', (pkg, expected) => {
    expect(holding(pkg)).toEqual([...expected].sort());
  });

  it('hold the AWS clients of exactly the functions the function table grants their service', () => {
    const granted = (grant: (name: FunctionName) => boolean) => FUNCTION_NAMES.filter(grant).sort();
    expect(holding('@aws-sdk/client-dynamodb')).toEqual(granted((n) => functionSpec(n).dynamodb.length > 0));
    expect(holding('@aws-sdk/client-kms')).toEqual(granted((n) => functionSpec(n).signsClientAssertions || functionSpec(n).assertionKey.length > 0));
  });

  it("hold the page renderer (nunjucks' runtime) in exactly the functions that answer with pages", () => {
    expect(holding('nunjucks')).toEqual(['callback', 'login', 'logout', 'nhs-login-settings', 'signed-out', 'start']);
  });

  it('of the pages hold nunjucks alone; the assets and /api/me no npm package at all', () => {
    for (const name of ['start', 'signed-out'] as const) expect([...bundles[name]]).toEqual(['nunjucks']);
    for (const name of ['assets', 'me'] as const) expect([...bundles[name]]).toEqual([]);
  });
});
