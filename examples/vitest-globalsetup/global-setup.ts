/**
 * vitest globalSetup: brings the stack up (both daemons, waits until healthy) before the tests and
 * down after, with the library API. Ctrl-C during setup aborts the up through the AbortSignal.
 */
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { down, loadProject, up, type Stack } from 'mixcompose';

declare module 'vitest' {
  export interface ProvidedContext {
    composeFile: string;
    projectName: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const composeFile = fileURLToPath(new URL('./compose.yaml', import.meta.url));
  const projectName = `vitest-example-${process.pid}`;
  // The environment the tests get (process.env plus the project's `test.env`): the same daemons.
  const env = { ...process.env, ...project.config.env };
  const stack: Stack = await loadProject({ files: [composeFile], projectName, env });
  const interrupt = new AbortController();
  const onSigint = () => interrupt.abort();
  process.once('SIGINT', onSigint);
  try {
    await up(stack, { signal: interrupt.signal, waitTimeoutMs: 60_000 });
  } catch (error) {
    await down(stack);
    throw error;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  project.provide('composeFile', composeFile);
  project.provide('projectName', projectName);
  return async () => {
    await down(stack, { timeout: 0 });
  };
}
