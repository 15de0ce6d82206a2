import { describe, expect, it } from 'vitest';
import { oneOffBody, oneOffKey, oneOffService } from '../../../src/engine/run-oneoff.js';
import { reconcile } from '../../../src/plan/reconcile.js';
import { materializeSpec } from '../../../src/plan/materialize.js';
import { parseEnvFlags, runOverrides } from '../../../src/cli/commands/run.js';
import { container, observed, project, service } from '../plan/builders.js';

const db = service('db', { platform: 'linux', expose: ['5432'], command: ['sleep', '3600'] });
const tests = service('tests', {
  platform: 'windows',
  environment: { DB: '{{ db.host }}:{{ db.port:5432 }}', MODE: 'ci' },
  depends_on: { db: { condition: 'service_started', restart: false, required: true } },
  ports: [{ target: 80, published: '8080', protocol: 'tcp' }],
  restart: 'always',
  command: ['sh', '-c', 'echo default'],
});
const stack = project([db, tests]);
const running = observed({
  containers: [
    container({ service: 'db', platform: 'linux', ips: { shop_default: '10.201.0.5' } }),
    container({ service: 'tests', platform: 'windows', status: 'exited', ips: {} }),
    container({ service: 'mixcompose-resolver', platform: 'linux', name: 'shop-mixcompose-resolver-1', labels: { 'com.docker.compose.project': 'shop', 'io.mixcompose.role': 'resolver' }, ips: { shop_default: '10.201.0.2' } }),
  ],
});
const overrides = { command: ['sh', '-c', 'exit 3'], env: { EXTRA: 'x' }, tty: false, interactive: true };

describe('run: the one-off planned as a copy of its service', () => {
  const key = oneOffKey('tests', 'abc123abc123');
  const oneOff = oneOffService(stack, tests, overrides, key, 'shop-tests-run-abc123abc123');
  const withOneOff = { ...stack, services: { ...stack.services, [key]: oneOff } };

  it('takes the flags, publishes none of the service ports, never restarts', () => {
    expect(oneOff).toMatchObject({ name: key, container_name: 'shop-tests-run-abc123abc123', command: ['sh', '-c', 'exit 3'], restart: 'no', scale: 1, ports: [] });
    expect(oneOff.environment).toEqual({ DB: '{{ db.host }}:{{ db.port:5432 }}', MODE: 'ci', EXTRA: 'x' });
    expect(oneOffService(stack, tests, { ...overrides, servicePorts: true }, key, 'n').ports).toEqual(tests.ports);
  });

  it('is created on the service daemon with the address of db on the other daemon, and nothing of the stack is touched', () => {
    const { plan, problems } = reconcile(withOneOff, running, { command: 'up', services: [key], noDeps: true, noStart: true });
    expect(problems).toEqual([]);
    // The project resolver is planned as for any up (the fixture's is not the real one); the stack's own containers are left alone.
    const ops = plan.operations.filter((op) => !('service' in op) || op.service !== 'mixcompose-resolver');
    const creates = ops.filter((op) => op.kind === 'create-container');
    expect(creates.map((op) => [op.kind, 'name' in op ? op.name : '', op.daemon])).toEqual([['create-container', 'shop-tests-run-abc123abc123', 'windows']]);
    expect(ops.filter((op) => 'name' in op && (op.name === 'shop-db-1' || op.name === 'shop-tests-1'))).toEqual([]);
    const spec = creates[0]!.kind === 'create-container' ? creates[0]!.spec : undefined;
    const body = materializeSpec(spec!, () => 'resolver-ip')!.body;
    expect(body.Env).toContain('DB=10.201.0.5:5432');
    expect(body.Cmd).toEqual(['sh', '-c', 'exit 3']);
  });

  it("gets compose's one-off labels and attachable stdio, and no restart policy", () => {
    const body = oneOffBody(
      { Image: 'i', Labels: { 'com.docker.compose.service': key, 'com.docker.compose.oneoff': 'False' }, HostConfig: { RestartPolicy: { Name: 'always' }, NetworkMode: 'shop_default' } },
      'tests',
      'abc123abc123',
      { tty: true, interactive: true },
    );
    expect(body.Labels).toMatchObject({ 'com.docker.compose.service': 'tests', 'com.docker.compose.oneoff': 'True', 'com.docker.compose.slug': 'abc123abc123' });
    expect(body).toMatchObject({ Tty: true, OpenStdin: true, StdinOnce: true, AttachStdin: true, HostConfig: { NetworkMode: 'shop_default' } });
    expect((body.HostConfig as Record<string, unknown>).RestartPolicy).toBeUndefined();
  });
});

describe('run flags', () => {
  it('-e KEY=VALUE, and -e KEY from the environment (left out when unset)', () => {
    expect(parseEnvFlags(['A=1', 'B', 'C', 'D=x=y'], { B: 'from-env' })).toEqual({ A: '1', B: 'from-env', D: 'x=y' });
    expect(() => parseEnvFlags(['=1'], {})).toThrow('-e =1: expected KEY=VALUE or KEY');
  });

  it('-v, -p and --entrypoint are parsed as the file would be; bad ones name the flag', () => {
    const o = runOverrides(['true'], { env: [], volume: ['./data:/data:ro'], publish: ['8080:80'], entrypoint: '/bin/sh -c' }, { env: {}, workingDir: '/src/shop', tty: false });
    expect(o.volumes).toEqual([{ type: 'bind', source: '/src/shop/data', target: '/data', read_only: true, bind: { create_host_path: true } }]);
    expect(o.ports).toEqual([{ target: 80, published: '8080', protocol: 'tcp', mode: 'ingress' }]);
    expect(o.entrypoint).toEqual(['/bin/sh', '-c']);
    expect(() => runOverrides([], { env: [], volume: [], publish: ['80/xyz'] }, { env: {}, workingDir: '/', tty: false })).toThrow(/^-p 80\/xyz: invalid protocol/);
  });

  it('-v with a mode compose does not know: the mount is kept without it, and a warning names the flag and the mode', () => {
    const warnings: string[] = [];
    const o = runOverrides([], { env: [], volume: ['cache:/y:bogus', 'data:/d:ro'], publish: [] }, { env: {}, workingDir: '/', tty: false, onWarning: (m) => warnings.push(m) });
    expect(o.volumes).toEqual([
      { type: 'volume', source: 'cache', target: '/y' },
      { type: 'volume', source: 'data', target: '/d', read_only: true },
    ]);
    expect(warnings).toEqual([expect.stringMatching(/^-v cache:\/y:bogus: volume mode "bogus" is ignored/)]);
  });

  it('-v x:/y:bogus reads x:/y as a Windows drive path (as compose-go does), so its target "bogus" is refused as not absolute', () => {
    const flags = { env: [], volume: ['x:/y:bogus'], publish: [] };
    expect(() => runOverrides([], flags, { env: {}, workingDir: '/', tty: false })).toThrow(/^-v x:\/y:bogus: the target "bogus" is not an absolute path/);
    for (const ok of ['data:C:\\data', 'data:c:/data', '/src:/dst']) {
      expect(runOverrides([], { ...flags, volume: [ok] }, { env: {}, workingDir: '/', tty: false }).volumes).toHaveLength(1);
    }
  });
});
