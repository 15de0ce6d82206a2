/**
 * A throw-away compose project on the rig for engine tests: a temp directory with the given
 * compose file under a unique project name, loaded, connected (with --allow-os-mismatch), and
 * driven through the engine's own pipeline (the same `apply` the CLI calls).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProject } from '../../../src/config/load-project.js';
import { connectDaemons } from '../../../src/engine/connect-daemons.js';
import { apply, type ApplyResult, type Daemons } from '../../../src/engine/apply.js';
import type { EngineEvent } from '../../../src/model/events.js';
import type { Project } from '../../../src/model/project.js';
import type { ReconcileOptions } from '../../../src/plan/reconcile.js';
import { removeProjectLeftovers, rigEnv, uniqueProjectName } from '../../support/rig.js';

export interface TestStack {
  readonly name: string;
  readonly dir: string;
  project: Project;
  daemons: Daemons;
  readonly events: EngineEvent[];
  /** Rewrites the compose file and reloads the project. */
  rewrite(yaml: string): Promise<void>;
  run(options: ReconcileOptions): Promise<ApplyResult>;
  up(options?: Omit<ReconcileOptions, 'command'>): Promise<ApplyResult>;
  down(options?: Omit<ReconcileOptions, 'command'>): Promise<ApplyResult>;
  /** Removes whatever is left, by label, whatever happened. */
  cleanup(): Promise<void>;
}

/** `files`: more files to write into the project directory first (name → content). */
export async function testStack(prefix: string, yaml: string, files: Readonly<Record<string, string>> = {}): Promise<TestStack> {
  const name = uniqueProjectName(prefix);
  const dir = mkdtempSync(join(tmpdir(), `${name}-`));
  const env = rigEnv();
  for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, file), content);
  const load = async (text: string) => {
    writeFileSync(join(dir, 'compose.yaml'), text);
    const { project } = await loadProject({
      files: [join(dir, 'compose.yaml')],
      projectName: name,
      envFiles: [],
      profiles: [],
      environment: env,
      cwd: dir,
    });
    return project;
  };
  const project = await load(yaml);
  const daemons = await connectDaemons(project, { allowOsMismatch: true, env });
  const events: EngineEvent[] = [];
  const stack: TestStack = {
    name,
    dir,
    project,
    daemons,
    events,
    async rewrite(text) {
      stack.project = await load(text);
    },
    run(options) {
      return apply(stack.project, stack.daemons, {
        reconcile: options,
        onEvent: (e) => events.push(e),
        pollIntervalMs: 50,
        resume: { files: [join(dir, 'compose.yaml')], projectName: name, command: options.command ?? 'up', args: options.command === 'up' ? ['-d'] : [] },
      });
    },
    up(options = {}) {
      return stack.run({ ...options, command: 'up' });
    },
    down(options = {}) {
      return stack.run({ ...options, command: 'down', timeout: options.timeout ?? 1 });
    },
    cleanup: () => removeProjectLeftovers(name),
  };
  return stack;
}
