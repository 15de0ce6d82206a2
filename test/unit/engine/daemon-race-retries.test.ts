/**
 * Two dockerd on one Linux host (the test rig, a Linux VM daemon beside another) race on the shared
 * iptables chains: a network create can fail with "unable to remove jump to DOCKER-ISOLATION-STAGE-1
 * rule" and is rolled back by the daemon, and so can a network removal (seen on the rig when `down`
 * removed both daemons' networks at once). The adapter asks again for that error only.
 * Docker 20.10 also answers a container removal racing a stop that still writes the container's
 * state files, under load: asked again too. (A network removal refused while endpoints of removed
 * containers are still being released is the executor's to wait for: network-release.test.ts.)
 * Served by the fake engine (test/support/fake-engine.ts) with scripted answers.
 */
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { DockerodeClient } from '../../../src/engine/dockerode-client.js';
import { resolveEndpoint } from '../../../src/engine/daemon-endpoints.js';
import { startFakeEngine, type FakeEngine, type FakeRoute as Route } from '../../support/fake-engine.js';

const RACE = 'unable to remove jump to DOCKER-ISOLATION-STAGE-1 rule in FORWARD chain:  (iptables failed: iptables --wait -D FORWARD -j DOCKER-ISOLATION-STAGE-1: iptables: Bad rule (does a matching rule exist in that chain?).\n (exit status 1))';

const RACE_NFT =
  'unable to remove jump to DOCKER-ISOLATION-STAGE-1 rule in FORWARD chain:  (iptables failed: iptables --wait -D FORWARD -j DOCKER-ISOLATION-STAGE-1: iptables v1.8.9 (nf_tables):  RULE_DELETE failed (No such file or directory): rule in chain FORWARD\n (exit status 4))';

let fake: FakeEngine | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const send = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
};

const ROUTES = {
  create: { method: 'POST', path: /\/networks\/create$/ },
  remove: { method: 'DELETE', path: /\/networks\/[^/]+$/ },
  'remove-container': { method: 'DELETE', path: /\/containers\/[^/]+$/ },
} as const;

/** A client whose /networks/create, DELETE /networks/{id} or DELETE /containers/{id} answers with `answers` in turn (status, message or id). */
async function clientAnswering(answers: readonly [number, string][], call: keyof typeof ROUTES = 'create', more: Route[] = []) {
  let calls = 0;
  fake = await startFakeEngine({
    daemon: 'linux',
    routes: [
      {
        ...ROUTES[call],
        handle: (_req, res) => {
          const [status, text] = answers[Math.min(calls, answers.length - 1)];
          calls += 1;
          if (status === 204) {
            res.writeHead(204);
            res.end();
            return;
          }
          send(res, status, status === 201 ? { Id: text } : { message: text });
        },
      },
      ...more,
    ],
  });
  const endpoint = await resolveEndpoint({ platform: 'linux', host: fake.host, reach: 'auto', origin: 'file' }, { env: {} });
  return { client: new DockerodeClient({ label: endpoint.label, modem: endpoint.modem }), calls: () => calls };
}

describe('network create and the iptables race between two daemons', () => {
  it('asks again when the daemon lost the iptables race, and returns the network', async () => {
    const { client, calls } = await clientAnswering([[500, RACE], [500, RACE], [201, 'net-1']]);
    await expect(client.createNetwork({ Name: 'p_default' })).resolves.toEqual({ id: 'net-1' });
    expect(calls()).toBe(3);
  });

  it('gives up after four attempts with the daemon message', async () => {
    const { client, calls } = await clientAnswering([[500, RACE]]);
    await expect(client.createNetwork({ Name: 'p_default' })).rejects.toThrow(/create network p_default failed: .*DOCKER-ISOLATION-STAGE-1/);
    expect(calls()).toBe(4);
  });

  it('knows the nf_tables wording of the race (seen in CI on Debian 12)', async () => {
    const { client, calls } = await clientAnswering([[500, RACE_NFT], [201, 'net-2']]);
    await expect(client.createNetwork({ Name: 'p_default' })).resolves.toEqual({ id: 'net-2' });
    expect(calls()).toBe(2);
  });

  it('does not repeat any other failure', async () => {
    const { client, calls } = await clientAnswering([[500, 'pool overlaps with other one on this address space']]);
    await expect(client.createNetwork({ Name: 'p_default' })).rejects.toThrow(/pool overlaps/);
    expect(calls()).toBe(1);
  });
});

describe('network removal and the iptables race between two daemons', () => {
  it('asks again when the daemon lost the race half-way, and a network gone by then counts as removed', async () => {
    const { client, calls } = await clientAnswering([[500, RACE_NFT], [404, 'network p_default not found']], 'remove');
    await expect(client.removeNetwork('p_default')).resolves.toBeUndefined();
    expect(calls()).toBe(2);
  });

  it('asks again until the removal goes through', async () => {
    const { client, calls } = await clientAnswering([[500, RACE], [500, RACE_NFT], [204, '']], 'remove');
    await expect(client.removeNetwork('p_default')).resolves.toBeUndefined();
    expect(calls()).toBe(3);
  });

  it('does not repeat any other failure', async () => {
    const { client, calls } = await clientAnswering([[403, 'bridge is a pre-defined network and cannot be removed']], 'remove');
    await expect(client.removeNetwork('bridge')).rejects.toThrow(/pre-defined network/);
    expect(calls()).toBe(1);
  });

  it('answers a refusal for endpoints not yet released at once: the wait is the plan\'s (network-release.ts)', async () => {
    const { client, calls } = await clientAnswering([[403, 'error while removing network: network p_default id 3f1c has active endpoints'], [204, '']], 'remove');
    await expect(client.removeNetwork('p_default')).rejects.toThrow(/has active endpoints/);
    expect(calls()).toBe(1);
  });
});

/** Docker 20.10 under load (a 200-service `down`): a stop still writing the container's state files (moby/moby#52161). */
const UNLINK = 'unable to remove filesystem for 08236aaf: unlinkat /var/lib/docker/containers/08236aaf: directory not empty';

describe('container removal the daemon left half-done', () => {
  it('asks again, and a container gone by then counts as removed', async () => {
    const { client, calls } = await clientAnswering([[500, UNLINK], [404, 'No such container: 08236aaf']], 'remove-container');
    await expect(client.removeContainer('08236aaf', { force: true })).resolves.toBeUndefined();
    expect(calls()).toBe(2);
  });

  it('gives up after four attempts with the daemon message', async () => {
    const { client, calls } = await clientAnswering([[500, UNLINK]], 'remove-container');
    await expect(client.removeContainer('08236aaf', { force: true })).rejects.toThrow(/remove container 08236aaf failed: unable to remove filesystem/);
    expect(calls()).toBe(4);
  });

  it('does not repeat any other failure', async () => {
    const { client, calls } = await clientAnswering([[500, 'driver "overlay2" failed to remove root filesystem: device or resource busy']], 'remove-container');
    await expect(client.removeContainer('08236aaf', { force: true })).rejects.toThrow(/device or resource busy/);
    expect(calls()).toBe(1);
  });
});
