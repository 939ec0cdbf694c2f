import { exportSigningKeyPem, parseArgs, UsageError } from '../lib/tools/signing-key-pem';

/** `npm run signing-key:pem -- -c stage=<name> --key-id <arn>`: see lib/tools/signing-key-pem.ts. */
async function main(): Promise<void> {
  const { pem, kid } = await exportSigningKeyPem(parseArgs(process.argv.slice(2)));
  process.stdout.write(pem);
  process.stderr.write(`kid (RFC 7638 thumbprint): ${kid}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(err instanceof UsageError ? 2 : 1);
});
