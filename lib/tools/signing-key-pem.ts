import { KMSClient } from '@aws-sdk/client-kms';
import { ALLOWED_REGION, loadStageConfig } from '../../config';
import { jwkThumbprint, KmsAssertionSigner, spkiDerToPem } from '../../lambda/adapters/kms-signer';

/**
 * `npm run signing-key:pem -- -c stage=<name> --key-id <arn>`: prints the PEM public key of a stage's
 * client-assertion signing key, read from KMS (`GetPublicKey`), for registration with NHS login; the `kid` the
 * relying party sends (its RFC 7638 thumbprint) goes to stderr. The ARN is the stateful stack's
 * `SigningKeyV<N>Arn` output (`NhsLoginRp-<stage>-Stateful`). The key must be in the stage's account and in
 * eu-west-2. `--endpoint <url>` points the client at an emulator (moto).
 */
export interface SigningKeyPemArgs {
  stage: string;
  keyId: string;
  endpoint?: string;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = 'usage: npm run signing-key:pem -- -c stage=<name> --key-id <signing key ARN> [--endpoint <url>]';

export function parseArgs(argv: readonly string[]): SigningKeyPemArgs {
  let stage: string | undefined;
  let keyId: string | undefined;
  let endpoint: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value\n${USAGE}`);
      return v;
    };
    if (arg === '-c' || arg === '--context') {
      const [k, v] = next().split('=', 2);
      if (k !== 'stage' || !v) throw new UsageError(`only -c stage=<name> is understood\n${USAGE}`);
      stage = v;
    } else if (arg.startsWith('--key-id=')) keyId = arg.slice('--key-id='.length);
    else if (arg === '--key-id') keyId = next();
    else if (arg.startsWith('--endpoint=')) endpoint = arg.slice('--endpoint='.length);
    else if (arg === '--endpoint') endpoint = next();
    else throw new UsageError(`unknown argument ${arg}\n${USAGE}`);
  }
  if (!stage) throw new UsageError(`missing -c stage=<name>\n${USAGE}`);
  if (!keyId) {
    throw new UsageError(`missing --key-id: use the SigningKeyV<N>Arn output of the NhsLoginRp-${stage}-Stateful stack\n${USAGE}`);
  }
  return { stage, keyId, endpoint };
}

const KEY_ARN = /^arn:aws:kms:([a-z0-9-]+):(\d{12}):key\/[0-9a-f-]{36}$/;

export async function exportSigningKeyPem(
  args: SigningKeyPemArgs,
  clientConfig: ConstructorParameters<typeof KMSClient>[0] = {},
): Promise<{ pem: string; kid: string }> {
  const config = loadStageConfig(args.stage);
  const m = KEY_ARN.exec(args.keyId);
  if (!m) throw new UsageError(`--key-id must be a KMS key ARN (arn:aws:kms:${ALLOWED_REGION}:<account>:key/<id>)`);
  if (m[1] !== ALLOWED_REGION) throw new UsageError(`the key is in ${m[1]}; signing keys live in ${ALLOWED_REGION} only`);
  if (m[2] !== config.account) {
    throw new UsageError(`the key is in account ${m[2]}, but stage ${config.stage} is account ${config.account}`);
  }
  const kms = new KMSClient({ region: ALLOWED_REGION, ...clientConfig, ...(args.endpoint ? { endpoint: args.endpoint } : {}) });
  try {
    const der = await new KmsAssertionSigner(kms, args.keyId).publicKeyDer();
    return { pem: spkiDerToPem(der), kid: jwkThumbprint(der) };
  } finally {
    kms.destroy();
  }
}
