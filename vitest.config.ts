import { fileURLToPath } from 'node:url';
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
      {
        // examples/vitest-globalsetup as a user runs it (its globalSetup brings a stack up on the rig's
        // two daemons, with the library API), `mixcompose` resolved to this checkout's source.
        resolve: { alias: { mixcompose: fileURLToPath(new URL('./src/index.ts', import.meta.url)) } },
        test: {
          name: 'example',
          root: 'examples/vitest-globalsetup',
          include: ['*.test.ts'],
          globalSetup: ['./global-setup.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          env: {
            EXAMPLE_IMAGE: 'mixcompose-test/busybox:latest',
            MIXCOMPOSE_LINUX_HOST: process.env.MIXCOMPOSE_LINUX_HOST ?? 'unix:///run/mixcompose-rig/linux.sock',
            MIXCOMPOSE_WINDOWS_HOST: process.env.MIXCOMPOSE_WINDOWS_HOST ?? 'unix:///run/mixcompose-rig/windows.sock',
            MIXCOMPOSE_ALLOW_OS_MISMATCH: '1',
          },
        },
      },
    ],
  },
});
