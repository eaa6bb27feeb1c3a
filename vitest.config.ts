import { defineConfig } from 'vitest/config';

// Integration tests spawn the built CLI, terraform/tofu and kubectl: give them room. Most of
// a test's time is waiting (on tofu, a backoff, a Lease, a held write), so three workers on
// the machine's two cores overlap those waits without starving the CPU-bound ones.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 3,
  },
});
