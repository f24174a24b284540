import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    // Set-up that starts whole keel processes or a database may take seconds on a loaded 2-core machine.
    hookTimeout: 60_000,
    pool: 'forks',
    setupFiles: ['test/setup-property-seed.ts'],
  },
});
