/**
 * Daemon `address` settings at load time (QA2 R8): a malformed IP is invalid (not a host name), a
 * missing address that configured `reach: published` needs is reported with file, line and key, all
 * in one run and in the planner's words, and a bad `reach` does not hide the services' problems.
 */
import { describe, expect, it } from 'vitest';
import { daemonAddressProblem } from '../../../src/config/value-checks.js';
import { PlanError } from '../../../src/errors.js';
import type { PlatformOs, Project } from '../../../src/model/project.js';
import { resolverLayout } from '../../../src/plan/resolver.js';
import { errorsOf, issuesOf, loadFromText } from './helpers.js';

/** A linux db and a windows web on two daemons, with the given daemon settings (flow maps). */
function stack(linux: string, windows: string, extra = ''): string {
  return `x-mixcompose:
${extra}  daemons:
    linux: { host: "unix:///run/linux.sock"${linux ? `, ${linux}` : ''} }
    windows: { host: "tcp://win:2376"${windows ? `, ${windows}` : ''} }
services:
  db:
    platform: linux
    image: x
    ports: ["5432:5432"]
  web:
    platform: windows
    image: x
    environment:
      DB: "{{ db.host }}:{{ db.port:5432 }}"
`;
}

describe('daemon address values', () => {
  it.each([
    ['192.0.2.10'],
    ['fd00::10'],
    ['::1'],
    ['2001:db8:0:0:0:0:0:1'],
    ['::ffff:192.0.2.1'],
    ['host.docker.internal'],
    ['winbuild.example.internal.'],
    ['my_host-1'],
  ])('accepts %s', (value) => {
    expect(daemonAddressProblem(value)).toBeUndefined();
  });

  it.each([
    ['300.1.1.1', 'invalid IPv4 address "300.1.1.1": expected four numbers 0-255, like 192.0.2.10'],
    ['192.0.2', 'invalid IPv4 address "192.0.2"'],
    ['fd00:::10', 'invalid IPv6 address "fd00:::10"'],
    ['1:2:3:4:5:6:7:8:9', 'invalid IPv6 address'],
    ['fd00::1::2', 'invalid IPv6 address'],
    ['fd00::g', 'invalid IPv6 address'],
    ['192.0.2.10:53', 'give the address without a port (192.0.2.10)'],
    ['[fd00::10]:53', 'give the address without a port (fd00::10)'],
    ['[fd00::10]', 'write an IPv6 address without brackets (fd00::10)'],
    ['my host', 'invalid address "my host": expected an IP address'],
    ['-host', 'invalid address "-host"'],
  ])('rejects %s', (value, message) => {
    expect(daemonAddressProblem(value)).toContain(message);
  });
});

describe('daemon addresses needed by configured published reach', () => {
  it('reports every missing address and the other problems in one run, sorted by line', async () => {
    const issues = await issuesOf(`x-mixcompose:
  daemons:
    windows: { host: "tcp://win:2376", reach: published }
    linux: { host: "unix:///run/linux.sock", reach: published }
services:
  db:
    platform: linux
    image: x
    mem_limit: lots
  web:
    platform: windows
    image: x
    environment:
      A: "{{ nope.host }}"
`);
    expect(issues).toEqual([
      "compose.yaml:3:5 x-mixcompose.daemons.windows.address: names across daemons: reach of windows containers is published, so linux containers resolve windows service names to the windows daemon's address, but x-mixcompose.daemons.windows.address is not set: set it to the IP at which the other daemon's containers reach windows published ports, or leave names across daemons out with x-mixcompose.resolver.enabled: false",
      "compose.yaml:4:5 x-mixcompose.daemons.linux.address: names across daemons: reach of linux containers is published, so windows containers ask the resolver at the linux daemon's address and resolve linux service names to it, but x-mixcompose.daemons.linux.address is not set: set it to the IP at which the other daemon's containers reach linux published ports, or leave names across daemons out with x-mixcompose.resolver.enabled: false",
      'compose.yaml:9:5 services.db.mem_limit: invalid size "lots": expected a number of bytes or a size like 512m or 1.5g (units b, k, m, g, t, p)',
    ]);
  });

  it('a bad reach is reported beside the services\' problems and a malformed address', async () => {
    const issues = await issuesOf(`x-mixcompose:
  daemons:
    windows: { reach: sometimes, address: 300.1.1.1 }
services:
  web:
    platform: windoze
    image: x
    environment:
      A: "{{ nope.host }}"
`);
    expect(issues).toEqual([
      'compose.yaml:3:16 x-mixcompose.daemons.windows.reach: expected one of "auto", "ip", "published", got the string "sometimes"',
      'compose.yaml:3:34 x-mixcompose.daemons.windows.address: invalid IPv4 address "300.1.1.1": expected four numbers 0-255, like 192.0.2.10',
      'compose.yaml:6:5 services.web.platform: invalid platform "windoze": the OS must be linux or windows (as in linux/amd64 or windows/amd64)',
    ]);
  });

  it('a bad value in x-mixcompose is reported once, by the schema', async () => {
    const issues = await issuesOf(`x-mixcompose:
  default_platform: solaris
  daemons:
    linux: { host: "http://x" }
services:
  app:
    image: x
`);
    expect(issues).toEqual([
      'compose.yaml:2:3 x-mixcompose.default_platform: expected one of "linux", "windows", got the string "solaris"',
      'compose.yaml:4:14 x-mixcompose.daemons.linux.host: unsupported scheme "http" in daemon host "http://x": expected unix://, npipe://, tcp://, ssh:// or https:// (plain-text TCP is tcp://)',
    ]);
  });

  it('windows published alone needs both addresses (the linux one is where windows containers ask)', async () => {
    const issues = await issuesOf(stack('', 'reach: published'));
    expect(issues.map((i) => i.split(': names across daemons: ')[0])).toEqual([
      'compose.yaml:3:5 x-mixcompose.daemons.linux.address',
      'compose.yaml:4:5 x-mixcompose.daemons.windows.address',
    ]);
    expect(issues[0]).toContain("reach of windows containers is published, so windows containers need answers of their own from the resolver, at the linux daemon's address");
  });

  it('linux published alone needs only the linux address', async () => {
    const issues = await issuesOf(stack('reach: published', ''));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^compose\.yaml:3:5 x-mixcompose\.daemons\.linux\.address: names across daemons: reach of linux containers is published/);
  });

  it('without names across daemons, only {{ s.host }} of the other daemon needs the address', async () => {
    const resolverOff = '  resolver: { enabled: false }\n';
    expect(await issuesOf(stack('reach: published', '', resolverOff))).toEqual([
      "compose.yaml:4:5 x-mixcompose.daemons.linux.address: reach of linux containers is published, so {{ db.host }} in service web becomes the linux daemon's address, but x-mixcompose.daemons.linux.address is not set: set it to the host name or IP at which the windows daemon's containers reach linux published ports",
    ]);
    // web publishes nothing that db refers to: windows published needs no address then.
    await expect(loadFromText(stack('', 'reach: published', resolverOff))).resolves.toBeDefined();
  });

  it.each([
    ['the addresses are set (a host name too)', stack('reach: published, address: 192.0.2.10', 'reach: published, address: winbuild.example.internal')],
    ['reach is auto (a probe decides when up runs)', stack('', '')],
    ['reach is ip', stack('reach: ip', 'reach: ip')],
  ])('accepts the file when %s', async (_why, text) => {
    await expect(loadFromText(text)).resolves.toBeDefined();
  });

  it('needs no address when nothing crosses daemons: one platform, or one endpoint for both', async () => {
    const onePlatform = `x-mixcompose:
  daemons:
    linux: { reach: published }
    windows: { reach: published }
services:
  db: { image: x }
`;
    await expect(loadFromText(onePlatform, { environment: { MIXCOMPOSE_WINDOWS_HOST: 'tcp://win:2376' } })).resolves.toBeDefined();
    const oneEndpoint = stack('reach: published', 'reach: published').replace('tcp://win:2376', 'unix:///run/linux.sock');
    await expect(loadFromText(oneEndpoint)).resolves.toBeDefined();
    // The endpoints as the command line sets them count: two daemons again.
    const errors = await errorsOf({ 'compose.yaml': oneEndpoint }, { daemonOverrides: { windowsHost: 'tcp://other:2376' } });
    expect(errors).toHaveLength(2);
  });

  it('uses the planner\'s words: the load error is the PlanError resolverLayout gives for the same settings', async () => {
    const { project } = await loadFromText(stack('reach: published, address: 192.0.2.10', 'reach: published, address: 192.0.2.20'));
    for (const platform of ['linux', 'windows'] as const) {
      const settings = project.extension.daemons[platform]!;
      const { address: _dropped, ...withoutAddress } = settings;
      const without: Project = { ...project, extension: { ...project.extension, daemons: { ...project.extension.daemons, [platform]: withoutAddress } } };
      const reach: Record<PlatformOs, 'published'> = { linux: 'published', windows: 'published' };
      let planError: unknown;
      try {
        resolverLayout(without, reach);
      } catch (error) {
        planError = error;
      }
      expect(planError).toBeInstanceOf(PlanError);
      const text = stack(
        platform === 'linux' ? 'reach: published' : 'reach: published, address: 192.0.2.10',
        platform === 'windows' ? 'reach: published' : 'reach: published, address: 192.0.2.20',
      );
      const [loadError] = await issuesOf(text);
      expect(loadError).toBe(`compose.yaml:${platform === 'linux' ? 3 : 4}:5 x-mixcompose.daemons.${platform}.address: ${(planError as PlanError).message}`);
    }
  });
});
