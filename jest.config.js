// Two projects: fast unit tests, and integration tests that start real
// brokers and processes (run them in band: they share two cores).
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

const common = {
  transform: { '^.+\\.ts$': swc },
  // Services are ESM and import './x.js': map that to the .ts source.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
  modulePathIgnorePatterns: ['<rootDir>/.workshop/', '/\\.build/'],
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.int\\.test\\.ts$', '/steps/', '/solutions/'],
    },
    // The graders: run by `npm test` (workshop test) against WORKSHOP_TREE.
    {
      ...common,
      displayName: 'grading',
      testMatch: ['<rootDir>/steps/*/checks/*.check.ts'],
      // The graded tree lives under .workshop/trees/: its files must load. The
      // roots keep jest's crawl away from those copies.
      roots: ['<rootDir>/steps', '<rootDir>/workshop'],
      modulePathIgnorePatterns: ['/\\.build/'],
      setupFilesAfterEnv: ['<rootDir>/workshop/src/grading/jest-timeouts.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/**/*.int.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/steps/', '/solutions/'],
      setupFilesAfterEnv: ['<rootDir>/workshop/src/grading/jest-timeouts.ts'],
    },
  ],
};
