import { SinkLogger } from '../lambda/adapters/logger';
import { expectedVtm } from '../lambda/adapters/nhs-login';
import { startLocalStack } from '../local/stack';
import { LocalUsageError, localCommandOptions } from '../local/provider-choice';

/**
 * `npm run local`: moto, the NHS login simulator, the demo backend behind the local stage's mounts and the local
 * front on loopback. `PORT` (default 3000) sets the front's port; `NHS_LOGIN_SIM_AUTO_USER=<p0|p5|p9|declines-consent>`
 * signs that user in without a page; `NHS_LOGIN_ISSUER` with `NHS_LOGIN_CLIENT_ID` signs in with that provider
 * instead of the simulator (local/provider-choice.ts checks them all). Ctrl-C stops everything.
 */
async function main(): Promise<void> {
  const { port, autoUser, provider } = localCommandOptions(process.env);
  const logger = SinkLogger.create((line) => process.stdout.write(`${line}\n`), { logLevel: 'INFO' });
  // The sign-in metrics as Lambda writes them (embedded metric format JSON), between the log lines.
  const stack = await startLocalStack({ port, autoUser, provider, logger, onMetrics: (line) => process.stdout.write(`${line}\n`) });

  const origin = stack.frontUrl;
  const mountLines = stack.mounts.map((m) => {
    const assurance = m.kind === 'public' ? 'no session' : `${m.assurance ?? stack.settings.defaultAssuranceProfile} profile`;
    const target = m.target.type === 'http' ? m.target.url : m.target.type;
    return `  ${`${origin}${m.path}`.padEnd(40)} ${m.kind}, ${m.methods.join(' ')}, ${assurance} -> ${target}`;
  });
  process.stdout.write(
    [
      '',
      `Relying party:        ${origin}/  (start page)`,
      `  sign in:            ${origin}/auth/login?assurance=standard  (or assurance=high)`,
      `  session:            ${origin}/auth/session`,
      `  API example:        ${origin}/api/me`,
      `  JWKS:               ${origin}/auth/jwks.json  (verifies the X-NHS-Login-Assertion backends get)`,
      'Mounts (behind the sign-in):',
      ...mountLines,
      `Demo backend:         ${stack.demoBackend.url}  (answers with what it received; verified = its own check of the assertion)`,
      ...(provider
        ? [
            `OpenID provider:      ${stack.issuer}/.well-known/openid-configuration  (NHS_LOGIN_ISSUER; no simulator)`,
            `  client ID:          ${stack.clientId}`,
            `  redirect URI:       ${stack.redirectUri}  (register it with the provider)`,
            `  ID tokens need:     vtm = ${expectedVtm(stack.issuer)}`,
            '  client public key (private_key_jwt, RS512; register it with the provider before signing in):',
            stack.signingKeyPem.trimEnd(),
          ]
        : [`NHS login simulator:  ${stack.issuer}/.well-known/openid-configuration`]),
      `moto (KMS, DynamoDB): ${stack.moto.endpoint}`,
      ...(provider ? [] : [`Test user:            ${autoUser ? `${autoUser} (signed in automatically)` : 'chosen on the simulator page'}`]),
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping the local stack...\n`);
    stack.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  if (err instanceof LocalUsageError) {
    process.stderr.write(`npm run local: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`npm run local failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
