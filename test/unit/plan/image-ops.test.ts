/**
 * Pulls and builds as plan operations (plan/image-ops.ts), pure: the decisions per service from the
 * image facts and the policies, the operations they become, and how `up`'s plan wires them (each
 * create waits for its own image's operation only; a pulled image may recreate a kept container).
 */
import { describe, expect, it } from 'vitest';
import { debugPlan } from '../../../src/plan/debug-plan.js';
import { formatPlan } from '../../../src/plan/format-plan.js';
import type { ImagePolicy, ServiceImageFact } from '../../../src/plan/image-facts.js';
import { decideImages, imageOperations } from '../../../src/plan/image-ops.js';
import { materializeSpec } from '../../../src/plan/materialize.js';
import { reconcile } from '../../../src/plan/reconcile.js';
import type { BuildImageOp, PullImageOp } from '../../../src/plan/plan.js';
import { container, facts, observed, project, service, planOf } from './builders.js';

const BUSYBOX = 'mixcompose-test/busybox:latest';
const linuxImage = { platforms: [{ os: 'linux', architecture: 'amd64' }] };
const windowsImage = { platforms: [{ os: 'windows', architecture: 'amd64', 'os.version': '10.0.20348.1' }] };
const present = (id = 'sha256:'.padEnd(71, 'a')) => ({ id, os: 'linux', architecture: 'amd64' });
const now = 1_800_000_000_000;

function fact(serviceName: string, extra: Partial<ServiceImageFact> = {}): ServiceImageFact {
  return { service: serviceName, daemon: 'linux', image: BUSYBOX, ...extra };
}

type Row = {
  name: string;
  services: Parameters<typeof project>[0];
  facts: ServiceImageFact[];
  policy?: Partial<ImagePolicy>;
  /** "service: action (reason)" per decision, or the problems. */
  expected: string[];
};

const rows: Row[] = [
  { name: 'present image, default policy: used as it is', services: [service('db')], facts: [fact('db', { local: present() })], expected: ['db: skip (image present)'] },
  { name: 'absent image: pulled', services: [service('db')], facts: [fact('db', { registry: linuxImage })], expected: ['db: pull (image not present)'] },
  {
    name: '--pull always pulls a present image',
    services: [service('db')],
    facts: [fact('db', { local: present(), registry: linuxImage })],
    policy: { pull: 'always' },
    expected: ['db: pull (pull_policy: always)'],
  },
  {
    name: 'a Windows image for the Linux daemon is refused before any pull',
    services: [service('db')],
    facts: [fact('db', { registry: windowsImage })],
    expected: ['problem: service "db": image mixcompose-test/busybox:latest'],
  },
  {
    name: 'a present image of the wrong OS is refused',
    services: [service('db')],
    facts: [fact('db', { local: { id: 'sha256:1', os: 'windows' } })],
    expected: ['problem: service "db": image mixcompose-test/busybox:latest on the daemon is windows'],
  },
  {
    name: 'pull_policy never and absent: refused',
    services: [service('db', { pull_policy: 'never' })],
    facts: [fact('db')],
    expected: ['problem: service "db": image mixcompose-test/busybox:latest is not present and pull_policy is never'],
  },
  {
    name: 'pull_policy never, but another service pulls that image: brought by it',
    services: [service('db', { pull_policy: 'never' }), service('cache')],
    facts: [fact('db'), fact('cache', { registry: linuxImage })],
    expected: ['cache: pull (image not present)', 'db: skip (pulled for service cache)'],
  },
  {
    name: 'a registry that cannot say is a problem naming the service',
    services: [service('db')],
    facts: [fact('db', { registry: { error: 'manifest unknown' } })],
    expected: ['problem: service "db": cannot look up image mixcompose-test/busybox:latest from linux (unix:///run/linux.sock): manifest unknown'],
  },
  {
    name: 'a build section and no image: built',
    services: [service('app', { image: undefined, build: { context: 'app' } } as never)],
    facts: [fact('app', { image: 'shop-app' })],
    expected: ['app: build (it has a build: section)'],
  },
  {
    name: '--no-build with a build section and no image: refused',
    services: [service('app', { image: undefined, build: { context: 'app' } } as never)],
    facts: [fact('app', { image: 'shop-app' })],
    policy: { noBuild: true },
    expected: ['problem: service "app": image shop-app is not present and it has a build: section'],
  },
  {
    name: '--build builds even a present image',
    services: [service('app', { build: { context: 'app' } } as never)],
    facts: [fact('app', { local: present() })],
    policy: { build: true },
    expected: ['app: build (--build)'],
  },
];

describe('decideImages', () => {
  it.each(rows)('$name', ({ services, facts: gathered, policy, expected }) => {
    const p = project(services);
    const decisions = decideImages(p, observed().daemons, gathered, { now, ...policy });
    const lines = [
      ...decisions.entries.map((e) => `${e.service}: ${e.action} (${e.reason})`).sort(),
      ...decisions.problems.map((m) => `problem: ${m}`),
    ];
    expect(lines).toHaveLength(expected.length);
    lines.forEach((line, i) => expect(line.slice(0, expected[i]!.length)).toBe(expected[i]));
  });
});

describe('imageOperations', () => {
  it('pulls an image shared by several services once per daemon, with the OS to verify', () => {
    const p = project([service('a'), service('b'), service('w', { platform: 'windows' })]);
    const gathered = [fact('a', { registry: linuxImage }), fact('b', { registry: linuxImage }), fact('w', { daemon: 'windows', registry: linuxImage })];
    const policy = { now, allowOsMismatch: true };
    const ops = imageOperations(p, observed().daemons, decideImages(p, observed().daemons, gathered, policy), policy);
    expect(ops.operations.map((op) => `${op.id} ${(op as PullImageOp).services.join(',')} expect=${(op as PullImageOp).expectOs}`)).toEqual([
      `pull:linux:${BUSYBOX} a,b expect=linux`,
      `pull:windows:${BUSYBOX} w expect=linux`,
    ]);
    expect(Object.fromEntries(ops.byService)).toEqual({ a: `pull:linux:${BUSYBOX}`, b: `pull:linux:${BUSYBOX}`, w: `pull:windows:${BUSYBOX}` });
  });

  it('a pull_policy: always service with a build section builds when its pull fails; the build carries its query', () => {
    const p = project([service('app', { pull_policy: 'always', build: { context: 'app', target: 'prod', args: { V: '1' } } } as never)]);
    const gathered = [fact('app', { registry: linuxImage })];
    const policy = { now, dockerBuildKit: '1' };
    const [pull] = imageOperations(p, observed().daemons, decideImages(p, observed().daemons, gathered, policy), policy).operations as PullImageOp[];
    expect(pull!.onFailure).toEqual({
      action: 'build',
      build: {
        service: 'app',
        query: { t: BUSYBOX, dockerfile: 'Dockerfile', rm: true, forcerm: true, buildargs: { V: '1' }, target: 'prod' },
        context: { dir: '/src/shop/app', dockerfile: 'Dockerfile' },
        builder: 'buildkit',
        daemonLabel: 'linux (unix:///run/linux.sock)',
      },
    });
  });

  it('builds a Windows service on the Windows daemon with the classic builder', () => {
    const p = project([service('app', { platform: 'windows', image: undefined, build: { context: 'https://example.com/app.git' } } as never)]);
    const daemons = { linux: facts('linux'), windows: facts('windows', { osType: 'windows' }) };
    const gathered = [fact('app', { daemon: 'windows', image: 'shop-app' })];
    const [build] = imageOperations(p, daemons, decideImages(p, daemons, gathered, { now }), { now }).operations as BuildImageOp[];
    expect(build).toMatchObject({ kind: 'build-image', id: 'build:windows:app', daemon: 'windows', image: 'shop-app', build: { builder: 'classic', context: { remote: 'https://example.com/app.git' } } });
  });
});

describe("up's plan with image facts", () => {
  const stack = () => project([service('db'), service('web', { platform: 'windows', image: 'mixcompose-test/web:1' })]);
  const gathered = [fact('db', { local: present() }), fact('web', { daemon: 'windows', image: 'mixcompose-test/web:1', registry: linuxImage })];

  it('a create waits for its own image only: db (present) does not wait for web\'s pull', () => {
    const plan = planOf(stack(), observed({ imageFacts: gathered }), { images: { now, allowOsMismatch: true } });
    const lines = debugPlan(plan).split('\n');
    expect(lines.filter((l) => /^(pull|build):/.test(l))).toEqual([
      'pull:windows:mixcompose-test/web:1 pull-image @windows expectOs=linux image=mixcompose-test/web:1 onFailure={action=fail} reason=image not present services=[web]',
    ]);
    expect(lines.find((l) => l.startsWith('create:web:1 '))).toMatch(/<- .*pull:windows:mixcompose-test\/web:1/);
    expect(lines.find((l) => l.startsWith('create:db:1 '))).not.toMatch(/pull:/);
    expect(formatPlan(plan)).toContain('[windows] pull image mixcompose-test/web:1 for web (image not present)');
    expect(debugPlan(plan)).toMatchInlineSnapshot(`
      "up shop
      placement linux=linux windows=windows
      reach linux=ip (configured); windows=ip (configured)
      resolver
      network:linux:default create-network @linux driver=bridge ifExists=adopt-labelled({com.docker.compose.project=shop}) key=default name=shop_default
      create:mixcompose-resolver:1 create-container @linux image=mixcompose/resolver:0.1.0 name=shop-mixcompose-resolver platform=linux reason=new <- network:linux:default
      network:windows:default create-network @windows driver=bridge ifExists=adopt-labelled({com.docker.compose.project=shop}) key=default name=shop_default readGateway=true
      pull:windows:mixcompose-test/web:1 pull-image @windows expectOs=linux image=mixcompose-test/web:1 onFailure={action=fail} reason=image not present services=[web]
      start:mixcompose-resolver:1 start-container @linux container=<create:mixcompose-resolver:1> explainFailure=resolver-bind inspect=true name=shop-mixcompose-resolver platform=linux <- create:mixcompose-resolver:1
      create:db:1 create-container @linux image=mixcompose-test/busybox:latest subs=[{{ mixcompose.resolver.ip }}=<ip start:mixcompose-resolver:1 shop_default>] name=shop-db-1 platform=linux reason=new <- network:linux:default start:mixcompose-resolver:1
      create:web:1 create-container @windows image=mixcompose-test/web:1 subs=[{{ mixcompose.resolver.ip }}=<ip start:mixcompose-resolver:1 shop_default>] name=shop-web-1 platform=windows reason=new <- network:windows:default pull:windows:mixcompose-test/web:1 start:mixcompose-resolver:1
      hosts:mixcompose-host-gateway register-hosts @linux askers=windows dir=/etc/mixcompose-hosts file=mixcompose-host-gateway ifNoAddress=skip ip=<gateway network:windows:default> names=[host.docker.internal] reason=the windows daemon's gateway on shop_default resolver=<create:mixcompose-resolver:1> <- network:windows:default start:mixcompose-resolver:1
      start:db:1 start-container @linux container=<create:db:1> inspect=false name=shop-db-1 platform=linux <- create:db:1
      start:web:1 start-container @windows container=<create:web:1> inspect=true name=shop-web-1 platform=windows <- create:web:1
      hosts:web:1 register-hosts @linux file=web-1 ifNoAddress=skip ip=<ip start:web:1 shop_default> names=[web shop-web-1] resolver=<create:mixcompose-resolver:1> <- start:mixcompose-resolver:1 start:web:1
      "
    `);
  });

  it('a wrong-OS image is a problem found while planning, and nothing is planned', () => {
    // db (linux) would pull an image the registry lists for Windows only: never through the Linux daemon.
    const refused = [fact('db', { registry: windowsImage }), gathered[1]!];
    const { plan, problems } = reconcile(stack(), observed({ imageFacts: refused }), { images: { now, allowOsMismatch: true } });
    expect(problems.map((p) => p.message)).toEqual([expect.stringMatching(/^service "db": image mixcompose-test\/busybox:latest .*windows/)]);
    expect(plan.operations).toEqual([]);
  });

  it('a kept container whose image is pulled again is recreated only if the pull changes its image (compared at run time)', () => {
    // db exists with the config this plan gives it, running the image now present; `--pull always`.
    const alone = project([service('db')]);
    const db = planOf(alone, observed(), {}).operations.find((op) => op.kind === 'create-container' && op.service === 'db');
    const hash = materializeSpec((db as Extract<typeof db, { kind: 'create-container' }>)!.spec, () => undefined)!.hash;
    const running = container({ service: 'db', platform: 'linux', configHash: hash, imageId: present().id });
    const again = planOf(alone, observed({ containers: [running], imageFacts: [fact('db', { local: present(), registry: linuxImage })] }), {
      images: { now, pull: 'always' },
    });
    // Without a pull there is nothing to do.
    expect(planOf(alone, observed({ containers: [running] })).operations.filter((op) => op.kind === 'create-container')).toEqual([]);
    const create = again.operations.find((op) => op.kind === 'create-container');
    expect(create).toMatchObject({ reason: 'if its image changed', deps: expect.arrayContaining([`pull:linux:${BUSYBOX}`]), replaces: { id: running.id, image: { producedBy: `pull:linux:${BUSYBOX}`, id: present().id } } });
    expect(formatPlan(again)).toContain(`recreate container shop-db-1 if its image changed, else keep it (decided once pull:linux:${BUSYBOX} is done)`);
  });

  it('a container recreated for certain (--force-recreate) is stopped only once its new image is pulled', () => {
    const alone = project([service('db')]);
    const running = container({ service: 'db', platform: 'linux', configHash: 'x', imageId: present().id });
    const plan = planOf(alone, observed({ containers: [running], imageFacts: [fact('db', { local: present(), registry: linuxImage })] }), {
      images: { now, pull: 'always' },
      forceRecreate: true,
    });
    const lines = debugPlan(plan).split('\n');
    expect(lines.find((l) => l.startsWith('stop:db:1 '))).toMatch(new RegExp(`<- pull:linux:${BUSYBOX}$`));
    expect(lines.find((l) => l.startsWith('create:db:1 '))).toMatch(/reason=forced <- .*remove:db:1/);
  });
});
