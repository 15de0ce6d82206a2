/**
 * `down` removes every container, network and volume of the project on both daemons, and leaves
 * an unrelated container on each daemon (no project label) running.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Dockerode from 'dockerode';
import { BUSYBOX_IMAGE, assertRigUp, rigDocker, uniqueProjectName } from '../../support/rig.js';
import { dbWebYaml } from '../../support/stacks.js';
import { testStack, type TestStack } from './stack.js';

const yaml = dbWebYaml({
  db: { lines: ['volumes: ["data:/data"]'] },
  web: { dependsOn: ['db'] },
  tail: 'volumes:\n  data: {}\n',
});

describe('down on both daemons', () => {
  let stack: TestStack;
  const bystanders: Dockerode.Container[] = [];
  beforeAll(async () => {
    assertRigUp();
    stack = await testStack('down', yaml);
    for (const daemon of ['linux', 'windows'] as const) {
      const c = await rigDocker(daemon).createContainer({ Image: BUSYBOX_IMAGE, name: uniqueProjectName('bystander'), Cmd: ['sleep', '3600'] });
      await c.start();
      bystanders.push(c);
    }
    await stack.up();
  });
  afterAll(async () => {
    await stack?.cleanup();
    await Promise.all(bystanders.map((c) => c.remove({ force: true })));
  });

  it('removes the project everywhere and nothing else', async () => {
    const filters = JSON.stringify({ label: [`com.docker.compose.project=${stack.name}`] });
    const before = await rigDocker('linux').listContainers({ all: true, filters });
    // db, the resolver and the reach probe's record (never started).
    expect(before.map((c) => c.Names[0]!.replace(`/${stack.name}-`, '')).sort()).toEqual(['db-1', 'mixcompose-reach-record', 'mixcompose-resolver']);
    const result = await stack.down({ volumes: true });
    expect(result.plan.operations.some((op) => op.kind === 'remove-volume')).toBe(true);
    for (const daemon of ['linux', 'windows'] as const) {
      const docker = rigDocker(daemon);
      expect(await docker.listContainers({ all: true, filters })).toEqual([]);
      expect(await docker.listNetworks({ filters })).toEqual([]);
      expect((await docker.listVolumes({ filters })).Volumes ?? []).toEqual([]);
    }
    for (const c of bystanders) expect((await c.inspect()).State.Running).toBe(true);
  });

  it('a second down has nothing to do', async () => {
    const again = await stack.down();
    expect(again.plan.operations).toEqual([]);
  });
});
