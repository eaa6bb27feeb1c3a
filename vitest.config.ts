import { defineConfig } from 'vitest/config';

// Integration tests spawn the built CLI, terraform/tofu and kubectl: give them room,
// and keep the worker count at the machine's two cores.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
