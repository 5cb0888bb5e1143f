import { parseArgs } from 'node:util';
import { Role } from '@ticketing/contracts';
import { mintAccessToken } from '../common/auth/access-token';
import { DEMO_USER_NAMES, demoUser, mintDemoToken } from '../common/auth/demo-users';
import { parseConfig } from '../config/app-config';

const USAGE =
  `usage: npm run token -- --as ${DEMO_USER_NAMES.join('|')} [--ttl 1h]\n` +
  '       npm run token -- --role ADMIN [--sub <uuid>] [--ttl 1h] [--username name] [--email address]';

/** "90", "90s", "15m", "1h", "2d" → seconds. */
export function parseTtl(text: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!match) throw new Error(`bad --ttl "${text}"`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      role: { type: 'string' },
      sub: { type: 'string' },
      ttl: { type: 'string', default: '1h' },
      username: { type: 'string' },
      email: { type: 'string' },
      as: { type: 'string' },
    },
  });
  const ttlSeconds = parseTtl(values.ttl ?? '1h');
  const config = parseConfig(process.env);
  if (values.as !== undefined) {
    if (values.role !== undefined || values.sub !== undefined)
      throw new Error(`--as names the role and subject\n${USAGE}`);
    process.stdout.write(`${mintDemoToken(config.auth, demoUser(values.as), ttlSeconds)}\n`);
    return;
  }
  const role = values.role?.toUpperCase();
  if (!role || !Object.values<string>(Role).includes(role)) {
    throw new Error(`--role must be one of ${Object.values(Role).join(', ')}\n${USAGE}`);
  }
  if (values.sub !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(values.sub)) {
    throw new Error(`--sub must be a UUID (the service refuses other subjects)\n${USAGE}`);
  }
  const token = mintAccessToken(config.auth, {
    role: role as Role,
    sub: values.sub,
    ttlSeconds,
    username: values.username,
    email: values.email,
  });
  process.stdout.write(`${token}\n`);
}

try {
  main();
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
