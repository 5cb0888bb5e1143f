import { ON_POSTGRES } from './support/conditions';
import { startTestApp, type TestApp } from './support/test-app';
import { type FuzzUsers, fuzzCredentials, fuzzUsers, seedFixtures } from './fuzz/fuzz-fixtures';
import { FuzzStatistics, FuzzTarget, fuzzOperation } from './fuzz/fuzz-runner';
import { type FuzzContext, OpenApiArbitraries } from './fuzz/openapi-arbitraries';
import { loadOpenApiDocument, operationsOf } from './support/openapi-document';
import { ResponseContract } from './support/response-contract';

/**
 * Issue 11, point 1: requests derived from the committed OpenAPI document for every operation, answered by the
 * real app. Fixed seed and size in CI; `npm run fuzz -- --runs N --seed S` sets them (FUZZ_RUNS, FUZZ_SEED).
 * PGlite runs one transaction at a time and is several times slower, so it gets fewer requests by default.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_101);
const TOTAL_RUNS = Number(process.env.FUZZ_RUNS ?? (ON_POSTGRES ? 3_000 : 1_200));

const document = loadOpenApiDocument();
const operations = operationsOf(document);
const RUNS_PER_OPERATION = Math.max(1, Math.ceil(TOTAL_RUNS / operations.length));
const where = ON_POSTGRES
  ? 'PostgreSQL'
  : `PGlite${process.env.FUZZ_RUNS ? '' : ': fewer requests by default, it runs one transaction at a time'}`;

describe(`OpenAPI fuzzer, ${RUNS_PER_OPERATION * operations.length} requests, seed ${SEED} (${where})`, () => {
  let t: TestApp;
  let target: FuzzTarget;
  let users: FuzzUsers;
  let ids: FuzzContext['ids'] | null = null;
  const contract = new ResponseContract(document);
  const statistics = new FuzzStatistics();

  beforeAll(async () => {
    // Webhooks are recorded but never sent: nothing changes the watched tables behind the fuzzer's back.
    t = await startTestApp({ NOTIFICATIONS_ENABLED: 'false' });
    users = fuzzUsers(t);
    target = await FuzzTarget.listen(t);
  });

  afterAll(async () => {
    process.stdout.write(`\nfuzz: ${statistics.requests} requests\n${statistics.summary()}\n`);
    await target?.close();
    await t?.close();
  });

  it.each(operations.map((operation, index) => ({ ...operation, index, label: operation.method.toUpperCase() })))(
    '$label $path ($id): no 5xx, documented answers, refused requests change nothing',
    async (operation) => {
      ids = await seedFixtures(t, users, ids);
      const arbitraries = new OpenApiArbitraries(document, { ids, credentials: fuzzCredentials(users) });
      await fuzzOperation({
        target,
        contract,
        arbitraries,
        operation,
        seed: SEED + operation.index,
        runs: RUNS_PER_OPERATION,
        statistics,
      });
    },
    Math.max(120_000, RUNS_PER_OPERATION * 2_000),
  );
});
