import { defineConfig } from 'vitest/config';

// Two projects: `unit` needs no daemon (pure core and recorded Engine API responses);
// `integration` talks to the two real dockerd of the test rig (scripts/rig.sh).
export default defineConfig({
  test: {
    // vitest 3 sizes its worker pool from the ROOT config only: a project's own fileParallelism is
    // ignored, so on a machine with more than 2 CPUs integration files (some stop a rig daemon or
    // remove its routes) would run at the same time. One file at a time, for both projects.
    fileParallelism: false,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // A few unit tests do much work (600 loads of the fuzz corpus) or wait on a fake engine
          // that answers late; on a loaded 2-CPU machine vitest's 5 s default is too tight.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // The rig's daemons are shared state: integration files run one at a time (the root's
          // fileParallelism above; a project cannot set it).
        },
      },
    ],
  },
});
