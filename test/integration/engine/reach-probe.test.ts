/**
 * reach `auto` on the rig (issue 3): the first `up` probes between the two daemons (which route
 * container IPs) as operations of the plan (each end started at once, the pings once both are up),
 * beside the networks, the project resolver and the containers that do not depend on its answer,
 * chooses `ip`, records the answer on the service container made after it, and `plan` / `ps`
 * report it as the probe's; a second `up` does not probe again; nothing of the probe is left on
 * either daemon, and `down` removes what a killed probe would have left. (The `published` outcome
 * needs the route cut, which would disturb others' tests on the shared rig: unit-tested with fake
 * daemons in test/unit/engine/reach-probe.test.ts.)
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../../src/cli/program.js';
import type { StepEvent } from '../../../src/model/events.js';
import { assertRigUp, BUSYBOX_IMAGE, REGISTRY, rigDocker, rigEnv, RESOLVER_IMAGE } from '../../support/rig.js';
import { testStack, type TestStack } from './stack.js';

const yaml = `
services:
  db:
    platform: linux
    image: mixcompose-test/busybox:latest
    init: true
    command: ["sleep", "3600"]
  web:
    platform: windows
    image: mixcompose-test/busybox:latest
    init: true
    environment:
      DB_IP: "{{ db.ip }}"
    command: ["sleep", "3600"]
`;

const ROLE = 'io.mixcompose.role=reach-probe';

/** Probe containers (any state) and networks of the project on both daemons. */
async function probeLeftovers(project: string): Promise<string[]> {
  const filters = JSON.stringify({ label: [`com.docker.compose.project=${project}`, ROLE] });
  const out: string[] = [];
  for (const daemon of ['linux', 'windows'] as const) {
    const docker = rigDocker(daemon);
    for (const c of await docker.listContainers({ all: true, filters })) out.push(`${daemon} container ${c.Names[0]}`);
    for (const n of await docker.listNetworks({ filters })) out.push(`${daemon} network ${n.Name}`);
  }
  return out;
}

/** "create container <name>" / "create network <name>" / "exec_create: <cmd> container <name>" as the daemon reported them between two times (s). */
/** The create and exec_create events of one project's containers and networks (by name: other test files run beside this one). */
async function daemonEvents(daemon: 'linux' | 'windows', since: number, until: number, project: string): Promise<string[]> {
  const stream = (await rigDocker(daemon).getEvents({ since, until, filters: JSON.stringify({ event: ['create', 'exec_create'] }) })) as NodeJS.ReadableStream;
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { Type: string; Action: string; Actor: { Attributes?: Record<string, string> } })
    .map((e) => `${e.Action} ${e.Type} ${e.Actor.Attributes?.name ?? ''}`)
    .filter((e) => e.includes(project));
}

function probeSteps(events: readonly unknown[]): StepEvent[] {
  return (events as StepEvent[]).filter((e) => e.type === 'step' && e.id === 'reach-probe');
}

/** Runs the CLI in-process against the rig; answers what it printed on stdout. */
async function cli(stack: TestStack, ...args: string[]): Promise<string> {
  const saved = { ...process.env };
  Object.assign(process.env, rigEnv());
  let stdout = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  try {
    await buildProgram().parseAsync(['node', 'mixcompose', '-f', join(stack.dir, 'compose.yaml'), '-p', stack.name, '--allow-os-mismatch', ...args]);
  } finally {
    write.mockRestore();
    process.env = saved;
  }
  return stdout;
}

describe('reach auto: the probe', () => {
  let stack: TestStack;
  let firstUpMs = 0;
  let upStartedAt = 0;
  let upEndedAt = 0;
  beforeAll(async () => {
    assertRigUp();
    stack = await testStack('reachprobe', yaml);
    const started = Date.now();
    upStartedAt = Math.floor(started / 1000) - 1;
    await stack.up();
    firstUpMs = Date.now() - started;
    upEndedAt = Math.ceil(Date.now() / 1000) + 1;
  });
  afterAll(async () => {
    await stack?.cleanup();
  });

  it('the first up probes, chooses ip both ways and says so', async () => {
    const steps = probeSteps(stack.events);
    expect(steps.map((s) => s.status)).toEqual(['started', 'done']);
    expect(steps[1]!.message).toMatch(/^linux containers by ip, windows containers by ip \((\d+\.\d)s\)$/);
    const seconds = Number(/\((\d+\.\d)s\)/.exec(steps[1]!.message!)![1]);
    // Measured for the report (issue 3): the probe's own time and the whole first up.
    console.log(`reach probe: ${seconds}s of a first up taking ${(firstUpMs / 1000).toFixed(1)}s`);
    expect(seconds).toBeGreaterThan(0);
  });

  it('probes between the resolver and the windows service, with no container or network of its own, and records the answer on one never-started container', async () => {
    const filters = (role?: string) => JSON.stringify({ label: [`com.docker.compose.project=${stack.name}`, ...(role ? [`io.mixcompose.role=${role}`] : [])] });
    // What the daemons saw during the first up: no probe container or network was ever made.
    for (const daemon of ['linux', 'windows'] as const) {
      const created = await daemonEvents(daemon, upStartedAt, upEndedAt, stack.name);
      expect(created).toContain(`create container ${stack.name}-${daemon === 'linux' ? 'db' : 'web'}-1`);
      expect(created.filter((e) => /reach-probe/.test(e))).toEqual([]);
      // One exec: ping in web; the resolver pings through its stdin reader.
      expect(created.filter((e) => e.startsWith('exec_create'))).toEqual(daemon === 'linux' ? [] : [expect.stringMatching(new RegExp(`^exec_create: ping .* container ${stack.name}-web-1$`))]);
    }
    const [record, ...more] = await rigDocker('linux').listContainers({ all: true, filters: filters('reach-record') });
    expect(more).toEqual([]);
    expect(record!.State).toBe('created');
    expect(record!.Labels['io.mixcompose.reach.linux']).toBe('ip');
    expect(record!.Labels['io.mixcompose.reach.windows']).toBe('ip');
    const [resolver] = await rigDocker('linux').listContainers({ all: true, filters: filters('resolver') });
    expect(Object.keys(resolver!.Labels).filter((k) => k.startsWith('io.mixcompose.reach'))).toEqual([]);
    for (const daemon of ['linux', 'windows'] as const) {
      const services = (await rigDocker(daemon).listContainers({ all: true, filters: filters() })).filter((c) => !c.Labels['io.mixcompose.role']);
      expect(services).toHaveLength(1);
      expect(Object.keys(services[0]!.Labels).filter((k) => k.startsWith('io.mixcompose.reach'))).toEqual([]);
      const networks = await rigDocker(daemon).listNetworks({ filters: filters() });
      expect(networks.map((n) => n.Name)).toEqual([`${stack.name}_default`]);
      expect(Object.keys(networks[0]!.Labels ?? {}).filter((k) => k.startsWith('io.mixcompose.reach'))).toEqual([]);
    }
    // web (windows) and what it waits for start beside the probe, which pings from and to it; the record after the answer.
    const doneAt = (id: string) => (stack.events as StepEvent[]).find((e) => e.type === 'step' && e.id === id && e.status === 'done')!.at!;
    const startedAt = (id: string) => (stack.events as StepEvent[]).find((e) => e.type === 'step' && e.id === id && e.status === 'started')!.at!;
    expect(doneAt('start:web:1')).toBeLessThanOrEqual(startedAt('reach-probe'));
    expect(startedAt('create:mixcompose-reach-record:1')).toBeGreaterThanOrEqual(doneAt('reach-probe'));
    expect((stack.events as StepEvent[]).some((e) => e.type === 'step' && e.id.startsWith('reach-probe:'))).toBe(false);
    // ps lists the services only.
    expect(await cli(stack, 'ps')).not.toContain('reach-record');
  });

  it('leaves nothing of the probe on either daemon', async () => {
    expect(await probeLeftovers(stack.name)).toEqual([]);
  });

  it('plan and ps report the recorded probe result', async () => {
    const plan = await cli(stack, 'plan');
    expect(plan).toContain('reach linux containers from the other daemon: ip (auto: probe (recorded))');
    expect(plan).toContain('reach windows containers from the other daemon: ip (auto: probe (recorded))');
    const json = JSON.parse(await cli(stack, 'plan', '--format', 'json')) as { reach: Record<string, { reach: string; source: string }> };
    expect(json.reach.linux).toMatchObject({ reach: 'ip', source: 'recorded' });
    const ps = await cli(stack, 'ps');
    expect(ps).toContain('reach windows containers from the other daemon: ip (auto: probe (recorded))');
  });

  it('a second up does not probe again and changes nothing', async () => {
    const before = stack.events.length;
    const { plan } = await stack.up();
    expect(probeSteps(stack.events.slice(before))).toEqual([]);
    expect(plan.reach.linux).toEqual({ reach: 'ip', why: 'auto: probe (recorded)', source: 'recorded' });
    expect(plan.operations.filter((op) => op.kind === 'create-container')).toEqual([]);
    expect(await probeLeftovers(stack.name)).toEqual([]);
  });

  it('down removes what a killed probe left, and the networks with the recorded answer', async () => {
    // What an `up` killed mid-probe leaves: a probe network and container with the probe's labels.
    const labels = { 'com.docker.compose.project': stack.name, 'io.mixcompose.role': 'reach-probe' };
    const docker = rigDocker('windows');
    await docker.createNetwork({ Name: `${stack.name}_mixcompose-reach-probe`, Labels: labels });
    const left = await docker.createContainer({
      name: `${stack.name}-mixcompose-reach-probe-windows`,
      Image: RESOLVER_IMAGE,
      Entrypoint: ['/bin/sh', '-c'],
      Cmd: ['sleep 60'],
      Labels: labels,
      // A probe end of this version sits on the project's network (down removes it before that network).
      HostConfig: { NetworkMode: `${stack.name}_default` },
    });
    await left.start();
    expect(await probeLeftovers(stack.name)).toHaveLength(2);
    const { plan } = await stack.down();
    // Steps of the plan (so `down --dry-run` shows them too), not services of the stack (QA2 R5).
    const probeSteps = plan.operations.filter((op) => 'name' in op && String(op.name).includes('reach-probe'));
    expect(probeSteps.map((op) => `${op.kind} ${'name' in op ? op.name : ''}${op.kind === 'remove-container' ? ` (${op.reason})` : ''}`)).toEqual([
      `remove-container ${stack.name}-mixcompose-reach-probe-windows (reach probe left over)`,
      `remove-network ${stack.name}_mixcompose-reach-probe`,
    ]);
    expect(await probeLeftovers(stack.name)).toEqual([]);
    expect(plan.operations.some((op) => op.kind === 'remove-container' && op.name === `${stack.name}-mixcompose-reach-record`)).toBe(true);
    for (const daemon of ['linux', 'windows'] as const) {
      const networks = await rigDocker(daemon).listNetworks({ filters: JSON.stringify({ label: [`com.docker.compose.project=${stack.name}`] }) });
      expect(networks).toEqual([]);
      // The reach record went with the stack too.
      expect(await rigDocker(daemon).listContainers({ all: true, filters: JSON.stringify({ label: [`com.docker.compose.project=${stack.name}`] }) })).toEqual([]);
    }
  });
});

describe('reach auto: a probe that cannot run', () => {
  let stack: TestStack;
  beforeAll(async () => {
    assertRigUp();
    // A probe image the loopback registry does not have: the pull fails at once (no traffic leaves the host).
    const withMissingImage = yaml.replace(
      'services:',
      `x-mixcompose:\n  daemons:\n    windows: {probe_image: "${REGISTRY}/no-such-probe:latest"}\nservices:`,
    );
    stack = await testStack('reachfail', withMissingImage);
  });
  afterAll(async () => {
    await stack?.cleanup();
  });

  it('up warns why, decides from the endpoints, records nothing, leaves nothing, and the next up probes again', async () => {
    const { plan } = await stack.up();
    const warnings = stack.events.filter((e) => e.type === 'warning').map((e) => (e.type === 'warning' ? e.message : ''));
    expect(warnings.join('\n')).toMatch(/reach auto: the probe between the daemons could not run \(probe image: .*no-such-probe.*\); deciding from the endpoints instead\. Fix: /);
    expect(plan.reach.windows).toEqual({ reach: 'ip', why: 'auto: daemons on one machine; the probe could not run (see the warning)', source: 'endpoints' });
    const networks = await rigDocker('linux').listNetworks({ filters: JSON.stringify({ label: [`com.docker.compose.project=${stack.name}`] }) });
    expect(Object.keys(networks[0]!.Labels ?? {}).filter((k) => k.startsWith('io.mixcompose.reach.'))).toEqual([]);
    expect(await probeLeftovers(stack.name)).toEqual([]);

    const before = stack.events.length;
    await stack.up();
    const again = probeSteps(stack.events.slice(before));
    expect(again.map((s) => s.status)).toEqual(['started', 'done']);
    expect(again[1]!.message).toBe('could not run (see the warning)');
  });
});

describe('reach auto: a stack made by an older version (the answer on its service containers)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    assertRigUp();
    stack = await testStack('reachold', yaml);
  });
  afterAll(async () => {
    await stack?.cleanup();
  });

  it('is not probed again, and no reach record is made (the answer stays where it is)', async () => {
    // db as an older `up` left it: its labels carry the probe's answer.
    const labels = {
      'com.docker.compose.project': stack.name,
      'com.docker.compose.service': 'db',
      'com.docker.compose.container-number': '1',
      'com.docker.compose.oneoff': 'False',
      'io.mixcompose.platform': 'linux',
      'io.mixcompose.reach.linux': 'ip',
      'io.mixcompose.reach.windows': 'ip',
    };
    await rigDocker('linux').createContainer({ name: `${stack.name}-db-1`, Image: BUSYBOX_IMAGE, Cmd: ['sleep', '3600'], Labels: labels });
    const { plan } = await stack.up();
    expect(probeSteps(stack.events)).toEqual([]);
    expect(plan.reach.windows).toEqual({ reach: 'ip', why: 'auto: probe (recorded)', source: 'recorded' });
    expect(plan.operations.some((op) => 'name' in op && String(op.name).includes('reach-record'))).toBe(false);
    expect(await probeLeftovers(stack.name)).toEqual([]);
  });
});
