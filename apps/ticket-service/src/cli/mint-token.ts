import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { Role } from '@ticketing/contracts';
import { calculateJwkThumbprint, importPKCS8, type JWK } from 'jose';
import { type MintOptions, mintAccessToken } from '../common/auth/access-token';
import { DEMO_USER_NAMES, demoMintOptions, demoUser } from '../common/auth/demo-users';
import { signAccessToken, type SigningKey } from '../common/auth/jwks-access-token';
import { type AsymmetricJwtAlgorithm, parseConfig } from '../config/app-config';

const USAGE = [
  `usage: npm run token -- --as ${DEMO_USER_NAMES.join('|')} [--ttl 1h] [--key file]`,
  '       npm run token -- --role ADMIN [--sub <uuid>] [--ttl 1h] [--username name] [--email address] [--key file]',
  '       npm run token -- --key file --jwks',
  'HS256/HS384/HS512 sign with JWT_SECRET_KEY. RS256, ES256 and EdDSA sign with --key, a PKCS#8 PEM private key',
  '(created for JWT_ALGORITHM when the file does not exist); --jwks prints its public JWKS for JWT_JWKS_URL to serve.',
].join('\n');

/** "90", "90s", "15m", "1h", "2d" → seconds. */
export function parseTtl(text: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!match) throw new Error(`bad --ttl "${text}"`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

/** A new private key for `algorithm`, as PKCS#8 PEM. */
function generatePrivateKeyPem(algorithm: AsymmetricJwtAlgorithm): string {
  const privateKeyEncoding = { type: 'pkcs8', format: 'pem' } as const;
  const publicKeyEncoding = { type: 'spki', format: 'pem' } as const;
  switch (algorithm) {
    case 'RS256':
      return generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding, publicKeyEncoding }).privateKey;
    case 'ES256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256', privateKeyEncoding, publicKeyEncoding }).privateKey;
    case 'EdDSA':
      return generateKeyPairSync('ed25519', { privateKeyEncoding, publicKeyEncoding }).privateKey;
  }
}

/** The private key in `path`, created (readable by its owner only) when there is none. */
function readOrCreatePrivateKeyPem(path: string, algorithm: AsymmetricJwtAlgorithm): string {
  if (existsSync(path)) return readFileSync(path, 'utf8');
  mkdirSync(dirname(path), { recursive: true });
  const pem = generatePrivateKeyPem(algorithm);
  writeFileSync(path, pem, { mode: 0o600 });
  process.stderr.write(`created a ${algorithm} private key in ${path}\n`);
  return pem;
}

/** The public half of a private key as a JWK, with its RFC 7638 thumbprint as `kid`. */
async function publicJwkOf(privateKeyPem: string, algorithm: AsymmetricJwtAlgorithm): Promise<JWK & { kid: string }> {
  const jwk = createPublicKey(privateKeyPem).export({ format: 'jwk' }) as JWK;
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: algorithm, use: 'sig' };
}

const OPTIONS = {
  role: { type: 'string' },
  sub: { type: 'string' },
  ttl: { type: 'string', default: '1h' },
  username: { type: 'string' },
  email: { type: 'string' },
  as: { type: 'string' },
  key: { type: 'string' },
  jwks: { type: 'boolean', default: false },
} as const;

type Arguments = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

/** The claims the arguments ask for, checked as the service will check them. */
function mintOptionsOf(values: Arguments): MintOptions {
  if (values.as !== undefined) {
    if (values.role !== undefined || values.sub !== undefined) {
      throw new Error(`--as names the role and subject\n${USAGE}`);
    }
    return demoMintOptions(demoUser(values.as), parseTtl(values.ttl));
  }
  const role = values.role?.toUpperCase();
  if (!role || !Object.values<string>(Role).includes(role)) {
    throw new Error(`--role must be one of ${Object.values(Role).join(', ')}\n${USAGE}`);
  }
  if (values.sub !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(values.sub)) {
    throw new Error(`--sub must be a UUID (the service refuses other subjects)\n${USAGE}`);
  }
  return {
    role: role as Role,
    sub: values.sub,
    ttlSeconds: parseTtl(values.ttl),
    username: values.username,
    email: values.email,
  };
}

/** What the command prints: a token, or the public JWKS of the signing key. */
async function output(values: Arguments): Promise<string> {
  const { auth } = parseConfig(process.env);
  if (auth.jwks === null) {
    if (values.key !== undefined || values.jwks) {
      throw new Error(`--key and --jwks need JWT_ALGORITHM RS256, ES256 or EdDSA (it is ${auth.algorithm})\n${USAGE}`);
    }
    return mintAccessToken(auth, mintOptionsOf(values));
  }
  if (values.key === undefined) {
    throw new Error(`JWT_ALGORITHM=${auth.algorithm} signs with a private key: pass --key <file>\n${USAGE}`);
  }
  const pem = readOrCreatePrivateKeyPem(values.key, auth.algorithm);
  const publicJwk = await publicJwkOf(pem, auth.algorithm);
  if (values.jwks) return JSON.stringify({ keys: [publicJwk] }, null, 2);
  const key: SigningKey = { privateKey: await importPKCS8(pem, auth.algorithm), kid: publicJwk.kid };
  return signAccessToken(auth, key, mintOptionsOf(values));
}

Promise.resolve()
  .then(() => output(parseArgs({ options: OPTIONS }).values))
  .then((text) => process.stdout.write(`${text}\n`))
  .catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  });
