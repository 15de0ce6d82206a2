/**
 * Any observed state converges (issue 12): duplicates, half-made containers, foreign twins and a
 * resolver without its files, each left on two in-memory daemons, then `up` and `down` for real
 * (observe → reconcile → execute). Each test can fail: without plan/duplicates.ts, `down` threw
 * "duplicate plan operation network-rm:linux:shop_default" and `up` failed on an ambiguous name.
 */
import { describe, expect, it } from 'vitest';
import { LABEL_CONFIG_HASH, LABEL_NUMBER, LABEL_ONEOFF, LABEL_PLATFORM, LABEL_PROJECT, LABEL_SERVICE } from '../../../src/plan/labels.js';
import { expectUpThenDown, foreignState, makeRig, projectLeft, run } from './converge-support.js';

const ours = { [LABEL_PROJECT]: 'shop', 'com.docker.compose.network': 'default' };

describe('observed states converge', () => {
  it('two networks of the project with one name on each daemon: down removes both, by id', async () => {
    const rig = makeRig();
    await run(rig, 'up');
    rig.linux.addNetwork('shop_default', ours);
    rig.windows.addNetwork('shop_default', ours);
    const down = await run(rig, 'down');
    expect(down.error).toBeUndefined();
    const removals = down.plan!.operations.filter((op) => op.kind === 'remove-network');
    expect(removals.map((op) => op.id).every((id) => /^network-rm:(linux|windows):shop_default:n[0-9a-f]{11}$/.test(id))).toBe(true);
    expect(removals).toHaveLength(4);
    expect(projectLeft(rig)).toEqual([]);
  });

  it('two networks with one name: up keeps the one the containers are on, removes the other, and converges', async () => {
    const rig = makeRig();
    await run(rig, 'up');
    const kept = [...rig.linux.networks.values()][0]!;
    const twin = rig.linux.addNetwork('shop_default', ours);
    const up = await run(rig, 'up');
    expect(up.error).toBeUndefined();
    expect(up.plan!.operations.map((op) => `${op.kind} ${'network' in op ? op.network : ''}`)).toEqual([`remove-network ${twin.id}`]);
    expect([...rig.linux.networks.keys()]).toEqual([kept.id]);
    await expectUpThenDown(rig);
  });

  it('duplicates before the first up (two racing creates): up keeps the oldest and creates every container on it', async () => {
    const rig = makeRig();
    const first = rig.linux.addNetwork('shop_default', ours);
    rig.linux.addNetwork('shop_default', ours);
    const up = await run(rig, 'up');
    expect(up.error).toBeUndefined();
    expect([...rig.linux.networks.keys()]).toEqual([first.id]);
    await expectUpThenDown(rig);
  });

  it('a duplicate network some containers are on: they are recreated on the kept one before it goes', async () => {
    const rig = makeRig();
    await run(rig, 'up');
    // Move web-2 onto a twin, as a run racing the first one would have left it.
    const twin = rig.windows.addNetwork('shop_default', ours);
    const web2 = [...rig.windows.containers.values()].find((c) => c.name === 'shop-web-2')!;
    web2.networks = { shop_default: { id: twin.id, ip: '10.202.0.99' } };
    const up = await run(rig, 'up');
    expect(up.error).toBeUndefined();
    const ops = up.plan!.operations;
    const removal = ops.find((op) => op.kind === 'remove-network')!;
    expect(removal.deps).toContain('remove:web:2');
    expect(ops.find((op) => op.id === 'create:web:2')).toMatchObject({ reason: 'on a duplicate network' });
    expect(ops.find((op) => op.id === 'create:web:2')!.deps).toContain(removal.id);
    await expectUpThenDown(rig);
  });

  it('two containers of ours for one service and number: up keeps the running one, down removes both', async () => {
    const rig = makeRig();
    await run(rig, 'up');
    const net = [...rig.windows.networks.values()][0]!;
    const labels = { [LABEL_PROJECT]: 'shop', [LABEL_SERVICE]: 'api', [LABEL_NUMBER]: '1', [LABEL_ONEOFF]: 'False', [LABEL_PLATFORM]: 'windows' };
    rig.windows.addContainer({ name: 'shop-api-1-twin', labels, image: 'x', status: 'created', networks: { shop_default: { id: net.id } } });
    const stop = await run(rig, 'down');
    expect(stop.error).toBeUndefined();
    expect(projectLeft(rig)).toEqual([]);
    await run(rig, 'up');
    rig.windows.addContainer({ name: 'shop-api-1-twin', labels, image: 'x', status: 'running', networks: { shop_default: { id: [...rig.windows.networks.values()][0]!.id } } });
    const up = await run(rig, 'up');
    expect(up.error).toBeUndefined();
    expect(up.plan!.operations.map((op) => `${op.id} ${'name' in op ? op.name : ''}`)).toEqual(expect.arrayContaining([expect.stringMatching(/^remove:api:1(:c[0-9a-f]+)? shop-api-1-twin$/)]));
    await expectUpThenDown(rig);
  });

  it('a container of ours half created (never started, no config-hash label): up replaces it, down removes it', async () => {
    const rig = makeRig();
    await run(rig, 'up');
    const db = [...rig.linux.containers.values()].find((c) => c.name === 'shop-db-1')!;
    rig.linux.containers.delete(db.id);
    const { [LABEL_CONFIG_HASH]: _hash, ...labels } = db.labels;
    rig.linux.addContainer({ name: 'shop-db-1', labels, image: db.image, status: 'created', networks: db.networks });
    const up = await run(rig, 'up');
    expect(up.error).toBeUndefined();
    expect(up.plan!.operations.find((op) => op.id === 'create:db:1')).toMatchObject({ reason: 'config changed' });
    await expectUpThenDown(rig);
  });

  it('a network of ours with a foreign twin: up refuses naming both; down removes ours by id only; once the twin is gone up converges', async () => {
    const rig = makeRig();
    await run(rig, 'up');
    const twin = rig.linux.addNetwork('shop_default', { owner: 'someone-else' });
    const before = foreignState(rig);
    const up = await run(rig, 'up');
    expect(String(up.error)).toMatch(new RegExp(`network shop_default exists twice on the linux daemon: ours .* and one that does not belong to project shop \\(id ${twin.id.slice(0, 12)}\\)`));
    const down = await run(rig, 'down');
    expect(down.error).toBeUndefined();
    expect(down.plan!.operations.find((op) => op.kind === 'remove-network' && op.daemon === 'linux')).toMatchObject({ network: expect.not.stringMatching(twin.id) });
    expect(projectLeft(rig)).toEqual([]);
    expect(foreignState(rig)).toEqual(before);
    rig.linux.networks.delete(twin.id);
    await expectUpThenDown(rig);
  });

  it('a resolver without its files: up registers the names again', async () => {
    const rig = makeRig();
    await run(rig, 'up');
    const resolver = [...rig.linux.containers.values()].find((c) => c.name === 'shop-mixcompose-resolver')!;
    expect(resolver.files.size).toBeGreaterThan(0);
    resolver.files.clear();
    const up = await run(rig, 'up');
    expect(up.error).toBeUndefined();
    expect(up.plan!.operations.filter((op) => op.kind === 'register-hosts').map((op) => op.id).sort()).toEqual(['hosts:api:1', 'hosts:mixcompose-host-gateway', 'hosts:web:1', 'hosts:web:2']);
    expect(resolver.files.size).toBe(4);
    await expectUpThenDown(rig);
  });

  it('a network of ours removed while its containers were stopped: up recreates them on a new one', async () => {
    const rig = makeRig();
    await run(rig, 'up');
    for (const c of rig.windows.containers.values()) c.status = 'exited';
    rig.windows.networks.clear();
    const up = await run(rig, 'up');
    expect(up.error).toBeUndefined();
    expect(up.plan!.operations.find((op) => op.id === 'create:api:1')).toMatchObject({ reason: 'its network is gone' });
    await expectUpThenDown(rig);
  });

  it('stop, start and restart plan duplicates of a service and number with unique ids', async () => {
    const rig = makeRig();
    await run(rig, 'up');
    const net = [...rig.linux.networks.values()][0]!;
    const labels = { ...[...rig.linux.containers.values()].find((c) => c.name === 'shop-db-1')!.labels };
    rig.linux.addContainer({ name: 'shop-db-1-twin', labels, image: 'x', status: 'running', networks: { shop_default: { id: net.id, ip: '10.201.0.77' } } });
    const { reconcile } = await import('../../../src/plan/reconcile.js');
    const { observe } = await import('../../../src/engine/observe.js');
    const { facts } = await import('../plan/builders.js');
    const daemonFacts = { linux: facts('linux'), windows: facts('windows') };
    const observed = await observe(rig.project, { linux: rig.linux, windows: rig.windows }, daemonFacts);
    for (const command of ['stop', 'start', 'restart', 'down'] as const) {
      const { plan, problems } = reconcile(rig.project, observed, { command });
      expect(problems).toEqual([]);
      const ids = plan.operations.map((op) => op.id);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });
});
