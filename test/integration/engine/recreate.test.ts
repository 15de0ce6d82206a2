/**
 * Idempotence and change detection: a second `up` changes nothing (same container IDs, empty plan);
 * changing one service recreates it and the services using its address, and nothing else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertRigUp, rigDocker } from '../../support/rig.js';
import { composeYaml } from '../../support/stacks.js';
import { testStack, type TestStack } from './stack.js';

const compose = (dbMarker: string) =>
  composeYaml({
    services: {
      db: { lines: ['expose: ["8080"]', 'environment:', `  MARKER: "${dbMarker}"`] },
      api: { platform: 'windows', lines: ['environment:', '  DB: "{{ db.host }}:{{ db.port:8080 }}"'] },
      other: {},
      lonely: { platform: 'windows' },
    },
  });

async function ids(name: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const daemon of ['linux', 'windows'] as const) {
    const list = await rigDocker(daemon).listContainers({ all: true, filters: JSON.stringify({ label: [`com.docker.compose.project=${name}`] }) });
    for (const c of list) out[c.Labels['com.docker.compose.service']!] = c.Id;
  }
  return out;
}

describe('idempotent up and recreation of what changed', () => {
  let stack: TestStack;
  beforeAll(async () => {
    assertRigUp();
    stack = await testStack('recreate', compose('one'));
    await stack.up();
  });
  afterAll(async () => {
    await stack?.cleanup();
  });

  it('a second up plans nothing and keeps every container', async () => {
    const before = await ids(stack.name);
    const second = await stack.up();
    expect(second.plan.operations).toEqual([]);
    expect(await ids(stack.name)).toEqual(before);
    expect(Object.keys(before).sort()).toEqual(['api', 'db', 'lonely', 'mixcompose-reach-record', 'mixcompose-resolver', 'other']);
  });

  const dbIp = async (id: string) => Object.values((await rigDocker('linux').getContainer(id).inspect()).NetworkSettings.Networks)[0]!.IPAddress;

  it('a changed service is recreated; its address consumers only if the address changed, nothing else', async () => {
    const before = await ids(stack.name);
    const ipBefore = await dbIp(before.db!);
    await stack.rewrite(compose('two'));
    const third = await stack.up();
    const after = await ids(stack.name);
    const ipAfter = await dbIp(after.db!);
    const recreated = Object.keys(after).filter((s) => after[s] !== before[s]).sort();
    // Docker usually hands the freed address to the new container: then api is kept.
    expect(recreated).toEqual(ipAfter === ipBefore ? ['db'] : ['api', 'db']);
    const creates = third.plan.operations.filter((op) => op.kind === 'create-container').map((op) => `${op.id} ${'reason' in op ? op.reason : ''}`);
    expect(creates.sort()).toEqual(['create:api:1 if its addresses changed', 'create:db:1 config changed']);
    const api = await rigDocker('windows').getContainer(after.api!).inspect();
    expect(api.Config.Env).toContain(`DB=${ipAfter}:8080`);
  });

  it('stop then up starts the containers again and keeps their IDs (Q8)', async () => {
    const before = await ids(stack.name);
    const ipBefore = await dbIp(before.db!);
    await stack.run({ command: 'stop', timeout: 1 });
    const again = await stack.up();
    const after = await ids(stack.name);
    expect(await dbIp(after.db!)).toBeTruthy();
    const api = await rigDocker('windows').getContainer(after.api!).inspect();
    expect(api.State.Running).toBe(true);
    expect(api.Config.Env).toContain(`DB=${await dbIp(after.db!)}:8080`);
    // Every container kept; api too unless db came back with another address.
    if ((await dbIp(after.db!)) === ipBefore) expect(after).toEqual(before);
    else expect({ ...after, api: before.api }).toEqual(before);
    expect(again.plan.operations.some((op) => op.kind === 'remove-container' || op.kind === 'stop-container')).toBe(false);
    expect(after.db).toBe(before.db);
  });

  it('--force-recreate recreates everything, --no-recreate nothing', async () => {
    const before = await ids(stack.name);
    const none = await stack.up({ noRecreate: true, forceRecreate: true });
    expect(none.plan.operations).toEqual([]);
    await stack.up({ forceRecreate: true });
    const after = await ids(stack.name);
    for (const s of ['api', 'db', 'other', 'lonely']) expect(after[s]).not.toBe(before[s]);
    expect(after['mixcompose-resolver']).toBe(before['mixcompose-resolver']);
  });
});
