import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import type { AsymmetricJwtAlgorithm } from '../../apps/ticket-service/src/config/app-config';

/** How the server answers: with the key set, 503, or not at all (the client's timeout must end the wait). */
export type JwksServerMode = 'up' | 'down' | 'hanging';

/** The auth service's JWKS endpoint as a suite controls it, on a free loopback port. */
export interface JwksServer {
  url: string;
  /** How many GETs of the key set it has received (whatever it answered). */
  fetches(): number;
  /** Serves these public keys from now on. */
  publish(keys: JWK[]): void;
  setMode(mode: JwksServerMode): void;
  close(): Promise<void>;
}

/** A key pair of the auth service: its private half signs, its public JWK is what the server publishes. */
export interface TestKey {
  kid: string;
  algorithm: AsymmetricJwtAlgorithm;
  privateKey: CryptoKey;
  publicJwk: JWK;
  /** Signs exactly `claims` (no claim added) with this key, its algorithm and its kid. */
  sign(claims: Record<string, unknown>): Promise<string>;
}

export async function createTestKey(algorithm: AsymmetricJwtAlgorithm, kid: string): Promise<TestKey> {
  const { publicKey, privateKey } = await generateKeyPair(algorithm, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: algorithm, use: 'sig' };
  return {
    kid,
    algorithm,
    privateKey,
    publicJwk,
    sign: (claims) => new SignJWT(claims).setProtectedHeader({ alg: algorithm, kid, typ: 'JWT' }).sign(privateKey),
  };
}

export async function startJwksServer(): Promise<JwksServer> {
  let body = JSON.stringify({ keys: [] });
  let mode: JwksServerMode = 'up';
  let fetches = 0;
  const hanging = new Set<() => void>();
  const server: Server = createServer((_req, res) => {
    fetches += 1;
    if (mode === 'hanging') {
      hanging.add(() => res.destroy());
      return;
    }
    if (mode === 'down') {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    fetches: () => fetches,
    publish(keys) {
      body = JSON.stringify({ keys });
    },
    setMode(next) {
      mode = next;
    },
    async close() {
      for (const end of hanging) end();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
