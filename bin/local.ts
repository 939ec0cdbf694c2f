import { SinkLogger } from '../lambda/adapters/logger';
import { startLocalStack } from '../local/stack';
import { SIM_USER_IDS, type SimUserId } from '../local/nhs-login-sim';

/**
 * `npm run local`: moto, the NHS login simulator, the demo backend behind the local stage's mounts and the local
 * front on loopback. `PORT` (default 3000) sets the front's port; `NHS_LOGIN_SIM_AUTO_USER=<p0|p5|p9|declines-consent>`
 * signs that user in without a page. Ctrl-C stops everything.
 */
async function main(): Promise<void> {
  const port = process.env.PORT === undefined || process.env.PORT === '' ? 3000 : Number(process.env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a TCP port, got "${process.env.PORT}"`);
  const autoUser = process.env.NHS_LOGIN_SIM_AUTO_USER || undefined;
  if (autoUser !== undefined && !(SIM_USER_IDS as readonly string[]).includes(autoUser)) {
    throw new Error(`NHS_LOGIN_SIM_AUTO_USER must be one of ${SIM_USER_IDS.join(', ')}, got "${autoUser}"`);
  }
  const logger = SinkLogger.create((line) => process.stdout.write(`${line}\n`), { logLevel: 'INFO' });
  const stack = await startLocalStack({ port, autoUser: autoUser as SimUserId | undefined, logger });

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
      `NHS login simulator:  ${stack.issuer}/.well-known/openid-configuration`,
      `moto (KMS, DynamoDB): ${stack.moto.endpoint}`,
      `Test user:            ${autoUser ? `${autoUser} (signed in automatically)` : 'chosen on the simulator page'}`,
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
  process.stderr.write(`npm run local failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
