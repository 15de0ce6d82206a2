/**
 * The plans of `pull` and `build` (plan/image-ops.ts, planImageCommand), pure: image operations only,
 * one pull per daemon and reference, one build per service, refusals as problems (nothing planned).
 * Golden tests compare debugPlan, not the user's wording.
 */
import { describe, expect, it } from 'vitest';
import { debugPlan } from '../../../src/plan/debug-plan.js';
import type { ImagePolicy, ServiceImageFact } from '../../../src/plan/image-facts.js';
import { planImageCommand } from '../../../src/plan/image-ops.js';
import { facts, observed, project, service } from './builders.js';

const BUSYBOX = 'mixcompose-test/busybox:latest';
const linuxImage = { platforms: [{ os: 'linux', architecture: 'amd64' }] };
const windowsImage = { platforms: [{ os: 'windows', architecture: 'amd64', 'os.version': '10.0.20348.1' }] };
const now = 1_800_000_000_000;
/** What the `pull` command plans with (cli/commands/pull.ts). */
const pullPolicy: ImagePolicy = { now, pull: 'always', pullOnly: true, allowOsMismatch: true };
/** What the `build` command plans with (cli/commands/build.ts). */
const buildPolicy: ImagePolicy = { now, buildOnly: true, allowOsMismatch: true };

function fact(serviceName: string, extra: Partial<ServiceImageFact> = {}): ServiceImageFact {
  return { service: serviceName, daemon: 'linux', image: BUSYBOX, ...extra };
}

const buildable = (name: string, extra: Record<string, unknown> = {}) => service(name, { image: undefined, build: { context: name }, ...extra } as never);

describe('the pull plan', () => {
  const stack = () =>
    project([service('a'), service('b'), service('w', { platform: 'windows' }), service('cache', { image: 'redis:7' }), buildable('app')]);
  const gathered = () => [
    fact('a', { registry: linuxImage }),
    fact('b', { registry: linuxImage }),
    fact('w', { daemon: 'windows', registry: linuxImage }),
    fact('cache', { image: 'redis:7', registry: linuxImage }),
    fact('app', { image: 'shop-app' }),
  ];

  it('pulls once per daemon and reference, skips what is built, and plans nothing else', () => {
    const { plan, problems, entries } = planImageCommand(stack(), observed({ imageFacts: gathered() }), pullPolicy, 'pull');
    expect(problems).toEqual([]);
    expect(debugPlan(plan)).toMatchInlineSnapshot(`
      "pull shop
      placement linux=linux windows=windows
      pull:linux:mixcompose-test/busybox:latest pull-image @linux expectOs=linux image=mixcompose-test/busybox:latest onFailure={action=fail} reason=pull_policy: always services=[a b]
      pull:linux:redis:7 pull-image @linux expectOs=linux image=redis:7 onFailure={action=fail} reason=pull_policy: always services=[cache]
      pull:windows:mixcompose-test/busybox:latest pull-image @windows expectOs=linux image=mixcompose-test/busybox:latest onFailure={action=fail} reason=pull_policy: always services=[w]
      "
    `);
    expect(entries.filter((e) => e.action === 'skip').map((e) => `${e.service}: ${e.reason}`)).toEqual(['app: built, not pulled']);
  });

  it('--ignore-pull-failures makes every pull a warning when it fails', () => {
    const { plan } = planImageCommand(stack(), observed({ imageFacts: gathered() }), { ...pullPolicy, ignorePullFailures: true }, 'pull');
    expect(plan.operations.map((op) => (op.kind === 'pull-image' ? `${op.id} ${op.onFailure.action}` : op.id))).toEqual([
      'pull:linux:mixcompose-test/busybox:latest warn',
      'pull:linux:redis:7 warn',
      `pull:windows:${BUSYBOX} warn`,
    ]);
  });

  it('a buildable service with an image is pulled, and its failed pull is only a warning (it can be built)', () => {
    const stack = project([service('tool', { image: 'corp/tool:1', build: { context: 'tool' } } as never)]);
    const { plan } = planImageCommand(stack, observed({ imageFacts: [fact('tool', { image: 'corp/tool:1', registry: linuxImage })] }), pullPolicy, 'pull');
    expect(debugPlan(plan).split('\n')[2]).toBe(
      'pull:linux:corp/tool:1 pull-image @linux expectOs=linux image=corp/tool:1 onFailure={action=warn} reason=pull_policy: always services=[tool]',
    );
  });

  it('refuses a Windows image for a Linux service, and a service whose daemon is not connected: problems, nothing planned', () => {
    const refused = planImageCommand(project([service('db')]), observed({ imageFacts: [fact('db', { registry: windowsImage })] }), pullPolicy, 'pull');
    expect(refused.problems.map((p) => p.message)).toEqual([expect.stringMatching(/^service "db": image mixcompose-test\/busybox:latest is published for windows\/amd64/)]);
    expect(refused.plan.operations).toEqual([]);

    const linuxOnly = { daemons: { linux: facts('linux') }, imageFacts: [fact('db', { registry: linuxImage })] };
    const alone = planImageCommand(project([service('db'), service('w', { platform: 'windows' })]), linuxOnly, pullPolicy, 'pull');
    expect(alone.problems.map((p) => p.message)).toEqual(['service "w": no windows daemon is connected']);
    expect(alone.plan.operations).toEqual([]);
  });

  it('a registry that cannot say is a problem, unless failures are ignored (then a warning)', () => {
    const unknown = { imageFacts: [fact('db', { registry: { error: 'manifest unknown' } })] };
    const strict = planImageCommand(project([service('db')]), observed(unknown), pullPolicy, 'pull');
    expect(strict.problems.map((p) => p.message)).toEqual([expect.stringContaining('cannot look up image mixcompose-test/busybox:latest')]);
    const lenient = planImageCommand(project([service('db')]), observed(unknown), { ...pullPolicy, ignorePullFailures: true }, 'pull');
    expect(lenient.problems).toEqual([]);
    expect(lenient.plan.operations).toEqual([]);
    expect(lenient.plan.warnings).toEqual([expect.stringContaining('manifest unknown')]);
  });
});

describe('the build plan', () => {
  it('builds each service with a build section on the daemon that runs it; services without one are not looked at', () => {
    const stack = project([buildable('api'), buildable('web', { platform: 'windows' }), service('db')]);
    const daemons = { linux: facts('linux'), windows: facts('windows', { osType: 'windows' }) };
    const gathered = [fact('api', { image: 'shop-api' }), fact('web', { daemon: 'windows', image: 'shop-web' }), fact('db')];
    const { plan, problems, entries } = planImageCommand(stack, { daemons, imageFacts: gathered }, { ...buildPolicy, noCache: true }, 'build');
    expect(problems).toEqual([]);
    expect(entries.map((e) => e.service)).toEqual(['api', 'web']);
    expect(debugPlan(plan)).toMatchInlineSnapshot(`
      "build shop
      placement linux=linux windows=windows
      build:linux:api build-image @linux build={builder=daemon context={dir=/src/shop/api dockerfile=Dockerfile} daemonLabel=linux (unix:///run/linux.sock) query={dockerfile=Dockerfile forcerm=true nocache=true rm=true t=shop-api} service=api} image=shop-api reason=--build
      build:windows:web build-image @windows build={builder=classic context={dir=/src/shop/web dockerfile=Dockerfile} daemonLabel=windows (unix:///run/windows.sock) query={dockerfile=Dockerfile forcerm=true nocache=true rm=true t=shop-web} service=web} image=shop-web reason=--build
      "
    `);
  });

  it('a build section with a present image is built again (the command asks for it)', () => {
    const stack = project([service('api', { build: { context: 'api' } } as never)]);
    const gathered = [fact('api', { local: { id: 'sha256:1', os: 'linux', architecture: 'amd64' } })];
    const { plan } = planImageCommand(stack, observed({ imageFacts: gathered }), buildPolicy, 'build');
    expect(plan.operations.map((op) => `${op.id} ${op.kind === 'build-image' ? op.reason : ''}`)).toEqual(['build:linux:api --build']);
  });
});
