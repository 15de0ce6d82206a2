import { describe, expect, it } from 'vitest';
import { formatEvent, nanoTime, stackEvent } from '../../../src/cli/commands/events.js';
import { projectRows } from '../../../src/cli/commands/ls.js';
import { unpausable } from '../../../src/cli/commands/pause.js';
import { publishedAddresses } from '../../../src/cli/commands/port.js';
import { formatTop } from '../../../src/cli/commands/top.js';
import { dryRunText } from '../../../src/cli/commands/container-targets.js';
import { container, facts, project, service } from '../plan/builders.js';
import type { DaemonClient } from '../../../src/engine/daemon-client.js';
import type { PlacedContainer } from '../../../src/engine/project-containers.js';

const client = (label: string) => ({ label }) as DaemonClient;
const placed = (c: ReturnType<typeof container>): PlacedContainer => ({ container: c, client: client(`${c.platform} (unix:///${c.platform}.sock)`), daemon: c.platform });

describe('events', () => {
  it('keeps the nanoseconds of the daemon time', () => {
    expect(nanoTime(1764639538318679001n)).toBe('2025-12-02T01:38:58.318679001Z');
  });

  it('an Engine API event as a stack event, and its line', () => {
    const e = stackEvent({ Type: 'container', Action: 'start', Actor: { ID: 'abc', Attributes: { 'com.docker.compose.service': 'db', name: 'shop-db-1' } }, timeNano: 1764639538318679001 }, 'windows');
    expect(e).toMatchObject({ daemon: 'windows', type: 'container', action: 'start', id: 'abc', service: 'db' });
    expect(formatEvent(e)).toMatch(/^2025-12-02T01:38:58\.\d{9}Z container start abc \(service=db, name=shop-db-1, daemon=windows\)$/);
  });
});

describe('ls', () => {
  it('one row per project with the platforms it spans and its states', () => {
    const rows = projectRows(
      [
        container({ service: 'db', platform: 'linux', labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.project.config_files': '/s/compose.yaml' } }),
        container({ service: 'web', platform: 'windows', status: 'exited', labels: { 'com.docker.compose.project': 'shop' } }),
        container({ service: 'x', platform: 'linux', status: 'exited', labels: { 'com.docker.compose.project': 'old' } }),
        // The reach probe's record: never started, no part of the status.
        container({ service: 'mixcompose-reach-record', platform: 'linux', status: 'created', labels: { 'com.docker.compose.project': 'shop', 'io.mixcompose.role': 'reach-record' } }),
      ],
      false,
    );
    expect(rows).toEqual([{ name: 'shop', status: 'exited(1), running(1)', platforms: ['linux', 'windows'], configFiles: '/s/compose.yaml' }]);
  });
});

describe('pause', () => {
  it('a windows service under process isolation (its own or a Windows daemon default) cannot pause; hyperv and linux can', () => {
    const stack = project([service('db'), service('iso', { platform: 'windows', isolation: 'process' }), service('hv', { platform: 'windows', isolation: 'hyperv' }), service('win', { platform: 'windows' })]);
    const targets = ['db', 'iso', 'hv', 'win'].map((s) => placed(container({ service: s, platform: s === 'db' ? 'linux' : 'windows' })));
    const standIn = { clients: {}, facts: { linux: facts('linux'), windows: facts('windows') } };
    expect(unpausable(targets, { project: stack, daemons: standIn })).toEqual(['shop-iso-1']);
    const real = { clients: {}, facts: { linux: facts('linux'), windows: facts('windows', { osType: 'windows' }) } };
    expect(unpausable(targets, { project: stack, daemons: real })).toEqual(['shop-iso-1', 'shop-win-1']);
  });
});

describe('port, top, dry runs', () => {
  it('port: the published address of port/protocol', () => {
    const inspect = { NetworkSettings: { Ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }], '53/udp': null } } };
    expect(publishedAddresses(inspect, 80, 'tcp')).toEqual(['0.0.0.0:8080']);
    expect(publishedAddresses(inspect, 53, 'udp')).toEqual([]);
  });

  it('top: a padded table under the container title', () => {
    expect(formatTop('shop-db-1', { Titles: ['PID', 'CMD'], Processes: [['1', 'sleep 3600'], ['12345', 'sh']] })).toBe('shop-db-1\nPID     CMD\n1       sleep 3600\n12345   sh\n');
  });

  it('dry run: one line per container with its daemon, or that there is nothing', () => {
    expect(dryRunText('kill', [placed(container({ service: 'db', platform: 'linux' }))])).toBe('would kill shop-db-1 on linux (unix:///linux.sock)\n');
    expect(dryRunText('remove', [])).toBe('nothing to remove\n');
  });
});
