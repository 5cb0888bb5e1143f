/** Unit specs sit beside the code; e2e suites live in test/. Both run through swc (Nest 12 is ESM-only). */
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
    },
    module: { type: 'commonjs' },
  },
];

module.exports = {
  testEnvironment: 'node',
  rootDir: __dirname,
  testMatch: ['<rootDir>/apps/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  transform: { '^.+\\.(t|j|mj)s$': swc },
  // file-type and the packages it imports, and jose, are ESM-only; swc turns them into CommonJS like the rest (the
  // built service require()s them natively: Node >= 20.19 loads ES modules without top-level await that way).
  transformIgnorePatterns: [
    '/node_modules/(?!(@nestjs|openapi-fetch|file-type|strtok3|token-types|uint8array-extras|@tokenizer|@borewit|jose)/)',
  ],
  moduleNameMapper: { '^@ticketing/contracts$': '<rootDir>/libs/contracts/src/index.ts' },
  modulePathIgnorePatterns: ['<rootDir>/apps/ticket-service/dist', '<rootDir>/libs/contracts/dist'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  testTimeout: 60_000,
  maxWorkers: 2,
  setupFiles: ['<rootDir>/test/support/setup-env.ts'],
};
