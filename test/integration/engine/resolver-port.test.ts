/**
 * One stack with published reach per linux address (the resolver publishes `<linux address>:53`):
 * a second project on the same address is refused before anything of it starts, with a message that
 * names the project holding the port and the fixes; an `address` that is not an IP of the host fails
 * at the resolver's start with mixcompose's message (not the daemon's bare bind error) and no
 * "to continue"; `down` of both leaves nothing. Uses this host's primary IP, as names-published does
 * (the two files bind the same port: the integration files run one at a time in CI).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonError, PlanError } from '../../../src/errors.js';
import { assertRigUp, BUSYBOX_IMAGE, rigDocker } from '../../support/rig.js';
import { hostAddress, projectResources } from './published-host.js';
import { testStack, type TestStack } from './stack.js';

const address = hostAddress();
/** TEST-NET-2: never an address of this host. */
const FOREIGN = '198.51.100.77';

const yaml = (linuxAddress: string) => `
x-mixcompose:
  daemons:
    linux: { reach: published, address: "${linuxAddress}" }
    windows: { reach: published, address: "${address}" }
services:
  db:
    platform: linux
    image: ${BUSYBOX_IMAGE}
    init: true
    command: ["sleep", "3600"]
  web:
    platform: windows
    image: ${BUSYBOX_IMAGE}
    init: true
    command: ["sleep", "3600"]
`;

describe('the resolver\'s port 53 under published reach: one stack per linux address', () => {
  let first: TestStack;
  let second: TestStack;
  beforeAll(async () => {
    assertRigUp();
    first = await testStack('resolver-port-a', yaml(address));
    second = await testStack('resolver-port-b', yaml(address));
    await first.up();
  }, 120_000);
  afterAll(async () => {
    await first?.cleanup();
    await second?.cleanup();
  });

  it('the first project\'s resolver holds the linux address, port 53', async () => {
    const resolver = await rigDocker('linux').getContainer(`${first.name}-mixcompose-resolver`).inspect();
    expect(resolver.State.Running).toBe(true);
    expect((resolver.HostConfig.PortBindings as Record<string, unknown>)['5353/udp']).toEqual([{ HostIp: address, HostPort: '53' }]);
  });

  it('a second project on the same address is refused before anything starts, naming the holder and the fixes', async () => {
    const error = await second.up().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanError);
    const message = (error as Error).message;
    expect(message).toContain(`port 53 on ${address} (x-mixcompose.daemons.linux.address) is already published by container ${first.name}-mixcompose-resolver, the resolver of project ${first.name} (${address}:53 tcp+udp)`);
    expect(message).toContain(`mixcompose -f ${first.dir}/compose.yaml -p ${first.name} down`);
    expect(message).toContain('x-mixcompose.resolver.enabled: false');
    expect(await projectResources(second.name)).toEqual([]);
  });

  it('an address that is not an IP of the host fails at the resolver\'s start with mixcompose\'s message and no "to continue"', async () => {
    await second.rewrite(yaml(FOREIGN));
    const error = await second.up().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DaemonError);
    expect((error as DaemonError).message).toContain(`could not publish port 53 on ${FOREIGN} (x-mixcompose.daemons.linux.address): it is not an IP of the linux daemon's host`);
    expect((error as DaemonError).progress?.resume).toBeUndefined();
    await second.down();
    expect(await projectResources(second.name)).toEqual([]);
  }, 60_000);

  it('down of the first project frees the address for the second, and down of both leaves nothing', async () => {
    await first.down();
    expect(await projectResources(first.name)).toEqual([]);
    await second.rewrite(yaml(address));
    await second.up();
    const resolver = await rigDocker('linux').getContainer(`${second.name}-mixcompose-resolver`).inspect();
    expect(resolver.State.Running).toBe(true);
    await second.down();
    expect(await projectResources(second.name)).toEqual([]);
  }, 120_000);
});
