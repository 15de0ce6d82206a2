import { defineConfig } from 'vitest/config';

// Two projects: `unit` needs no daemon (pure core and recorded Engine API responses);
// `integration` talks to the two real dockerd of the test rig (scripts/rig.sh).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // The rig's daemons are shared state: run integration files one at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
