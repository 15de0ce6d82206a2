/**
 * connectDaemons and the dockerode adapter against the rig's two real dockerd: the linux daemon for
 * linux and the Linux stand-in for windows (accepted only with the mismatch switch, with a warning).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { connectDaemons } from '../../../src/engine/connect-daemons.js';
import { PlanError } from '../../../src/errors.js';
import { assertRigUp, BUSYBOX_IMAGE, LINUX_HOST, pollUntil, uniqueProjectName, WINDOWS_HOST } from '../../support/rig.js';
import { stubProject, stubService } from '../../unit/engine/project-stub.js';

const project = () =>
  stubProject([stubService('db', 'linux'), stubService('web', 'windows')], {
    linux: { host: LINUX_HOST },
    windows: { host: WINDOWS_HOST },
  });

describe('connectDaemons on the rig', () => {
  beforeAll(() => assertRigUp());

  it('refuses the Linux stand-in for windows without the switch, naming the daemon', async () => {
    const error = await connectDaemons(project(), { allowOsMismatch: false, env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanError);
    expect((error as Error).message).toContain(`windows daemon windows (${WINDOWS_HOST}) reports OSType "linux"`);
  });

  it('accepts it with the switch, with a visible warning, and distinct facts per daemon', async () => {
    const { clients, facts, warnings } = await connectDaemons(project(), { allowOsMismatch: true, env: {} });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/windows daemon .* reports OSType "linux".*--allow-os-mismatch/);
    expect(facts.linux).toMatchObject({ platform: 'linux', osType: 'linux', lcow: false, label: `linux (${LINUX_HOST})` });
    expect(facts.windows).toMatchObject({ platform: 'windows', osType: 'linux' });
    expect(facts.linux?.apiVersion).toMatch(/^1\.\d+$/);
    expect(clients.linux).not.toBe(clients.windows);
  });

  it('creates, starts, execs, logs and removes a container through the adapter', async () => {
    const { clients } = await connectDaemons(project(), { allowOsMismatch: true, env: {} });
    const client = clients.windows!;
    const name = uniqueProjectName('adapter');
    const { id } = await client.createContainer(name, {
      Image: BUSYBOX_IMAGE,
      Cmd: ['sh', '-c', 'echo out; echo err >&2; sleep 30'],
      Labels: { 'com.docker.compose.project': name },
    });
    try {
      await client.startContainer(id);
      const result = await client.exec(id, ['sh', '-c', 'echo hi; echo bye >&2; exit 4']);
      expect(result).toEqual({ exitCode: 4, stdout: 'hi\n', stderr: 'bye\n' });
      const lines = await pollUntil('both log lines', async () => {
        const seen = [];
        for await (const line of await client.containerLogs(id, { timestamps: true })) seen.push(line);
        return seen.length >= 2 && seen;
      });
      expect(lines.map((l) => `${l.stream}:${l.text}`).sort()).toEqual(['stderr:err', 'stdout:out']);
      expect(lines[0]!.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      const listed = await client.listContainers({ label: [`com.docker.compose.project=${name}`] });
      expect(listed.map((c) => c.Id)).toEqual([id]);
      await client.stopContainer(id, 0);
      await client.stopContainer(id, 0); // already stopped: not an error
    } finally {
      await client.removeContainer(id, { force: true });
      await client.removeContainer(id, { force: true }); // already gone: not an error
    }
    expect(await client.inspectImage('mixcompose-test/does-not-exist:latest')).toBeUndefined();
  });
});
