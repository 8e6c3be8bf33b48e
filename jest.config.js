// Unit tests: jest + jest-preset-angular, zoneless. Browser-only specs (*.browser.spec.ts) run
// under karma instead, so they are excluded here.
/** @type {import('jest').Config} */
module.exports = {
  preset: 'jest-preset-angular',
  testEnvironment: '<rootDir>/test/jsdom-with-web-platform.js',
  setupFilesAfterEnv: ['<rootDir>/test/setup-jest.ts'],
  roots: ['<rootDir>/projects', '<rootDir>/servers'],
  testMatch: ['**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '\\.browser\\.spec\\.ts$', '/dist/'],
  moduleNameMapper: {
    '^ngx-spa-auth$': '<rootDir>/projects/ngx-spa-auth/src/public-api.ts',
    '^ngx-spa-auth/testing$': '<rootDir>/projects/ngx-spa-auth/testing/src/public-api.ts',
    // The library's specs reach the shared fakes in test/ by this alias (tsconfig.json paths).
    '^@spa-auth/test-kit/(.*)$': '<rootDir>/test/$1',
  },
  transform: {
    '^.+\\.(ts|js|mjs|html|svg)$': [
      'jest-preset-angular',
      { tsconfig: '<rootDir>/tsconfig.jest.json', stringifyContentPathRegex: '\\.(html|svg)$' },
    ],
  },
  transformIgnorePatterns: ['node_modules/(?!(oauth4webapi|@angular|rxjs|.*\\.mjs$))'],
};
