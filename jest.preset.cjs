// Shared Jest settings. TypeScript (and the generated ESM .js) is transformed by SWC to CommonJS;
// type checking is `npm run typecheck` (tsc 5.9), not part of the test transform.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j)s$': [
      require.resolve('@swc/jest'),
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2023' },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  transformIgnorePatterns: ['/node_modules/'],
  testTimeout: 30000,
};
