/**
 * Planner golden tests for down / stop / start / restart over observed containers.
 */
import { describe, expect, it } from 'vitest';
import { formatPlan } from '../../../src/plan/format-plan.js';
import { debugPlan } from '../../../src/plan/debug-plan.js';
import { container, observed, project, service, planOf } from './builders.js';

const p = project([
  service('db', { command: ['sleep', '1'] }),
  service('api', { platform: 'windows', command: ['sleep', '1'], depends_on: { db: { condition: 'service_started', required: true, restart: false } } }),
  service('web', { platform: 'windows', command: ['sleep', '1'], stop_signal: 'SIGQUIT', depends_on: { api: { condition: 'service_started', required: true, restart: false } } }),
  service('tool', { command: ['sleep', '1'], stop_signal: 'SIGINT', stop_grace_period: '3s' }),
]);
const running = observed({
  containers: [
    container({ service: 'db', platform: 'linux', ips: { shop_default: '10.201.0.3' } }),
    container({ service: 'api', platform: 'windows' }),
    container({ service: 'web', platform: 'windows' }),
    container({ service: 'tool', platform: 'linux', status: 'exited' }),
    container({ service: 'mixcompose-resolver', platform: 'linux', name: 'shop-mixcompose-resolver', labels: { 'io.mixcompose.role': 'resolver', 'io.mixcompose.platform': 'linux' } }),
    container({ service: 'gone', platform: 'linux', ips: { shop_default: '10.201.0.9' } }),
  ],
  networks: [
    { id: 'n1', name: 'shop_default', platform: 'linux', driver: 'bridge', subnets: [], labels: {} },
    { id: 'n2', name: 'shop_default', platform: 'windows', driver: 'bridge', subnets: [], labels: {} },
  ],
  volumes: [{ name: 'shop_data', platform: 'linux', driver: 'local', labels: {} }],
});

describe('reconcile down/stop/start/restart', () => {
  it('down stops dependants first, in parallel across daemons, then networks; keeps networks orphans use', () => {
    expect(debugPlan(planOf(p, running, { command: 'down' }))).toMatchInlineSnapshot(`
      "down shop
      placement linux=linux windows=windows
      remove:tool:1 remove-container @linux container=tool10000000 inProgressWaitMs=30000 name=shop-tool-1 platform=linux reason=down volumes=false
      stop:web:1 stop-container @windows container=web100000000 killWaitSeconds=80 name=shop-web-1 platform=windows stuck=warn timeoutSeconds=10
      remove:web:1 remove-container @windows container=web100000000 inProgressWaitMs=30000 name=shop-web-1 platform=windows reason=down volumes=false <- stop:web:1
      stop:api:1 stop-container @windows container=api100000000 killWaitSeconds=80 name=shop-api-1 platform=windows stuck=warn timeoutSeconds=10 <- stop:web:1
      remove:api:1 remove-container @windows container=api100000000 inProgressWaitMs=30000 name=shop-api-1 platform=windows reason=down volumes=false <- stop:api:1
      network-rm:windows:shop_default remove-network @windows name=shop_default releaseWaitMs=30000 <- remove:api:1 remove:web:1
      stop:db:1 stop-container @linux container=db1000000000 killWaitSeconds=10 name=shop-db-1 platform=linux stuck=warn timeoutSeconds=10 <- stop:api:1
      remove:db:1 remove-container @linux container=db1000000000 inProgressWaitMs=30000 name=shop-db-1 platform=linux reason=down volumes=false <- stop:db:1
      stop:mixcompose-resolver:1 stop-container @linux container=mixcompose-r killWaitSeconds=10 name=shop-mixcompose-resolver platform=linux stuck=warn timeoutSeconds=10 <- remove:tool:1 stop:api:1 stop:db:1 stop:web:1
      remove:mixcompose-resolver:1 remove-container @linux container=mixcompose-r inProgressWaitMs=30000 name=shop-mixcompose-resolver platform=linux reason=down volumes=false <- stop:mixcompose-resolver:1
      warning found orphan container shop-gone-1 (service gone) on the linux daemon; run with --remove-orphans to remove it
      warning network shop_default on the linux daemon is kept: orphan containers use it
      "
    `);
  });

  it('down stops the resolver last, after every other container of the project stopped (names work while services shut down)', () => {
    const plan = planOf(p, running, { command: 'down', removeOrphans: true });
    const resolverStop = plan.operations.find((op) => op.id === 'stop:mixcompose-resolver:1');
    const otherStops = plan.operations.filter((op) => op.kind === 'stop-container' && op !== resolverStop).map((op) => op.id).sort();
    expect(otherStops).toEqual(['stop:api:1', 'stop:db:1', 'stop:gone:1', 'stop:web:1']);
    expect(resolverStop?.deps).toEqual(expect.arrayContaining(otherStops));
    // and no other container waits for the resolver
    expect(plan.operations.filter((op) => op.deps.includes('stop:mixcompose-resolver:1')).map((op) => op.id)).toEqual(['remove:mixcompose-resolver:1']);
  });

  it('down -v --remove-orphans -t 2 removes orphans and volumes with the given timeout', () => {
    const plan = planOf(p, running, { command: 'down', volumes: true, removeOrphans: true, timeout: 2 });
    const text = formatPlan(plan);
    expect(text).toContain('stop container shop-gone-1 (timeout 2s)');
    expect(text).toContain('remove volume shop_data');
    expect(text).not.toContain('warning');
    expect(plan.operations.filter((op) => op.kind === 'stop-container').every((op) => op.kind === 'stop-container' && op.timeoutSeconds === 2)).toBe(true);
  });

  it('stop sends no signal to windows services, the stop_signal to linux ones', () => {
    const plan = planOf(p, running, { command: 'stop' });
    const stops = Object.fromEntries(plan.operations.map((op) => [op.id, op.kind === 'stop-container' ? op.signal ?? '-' : '']));
    expect(stops).toEqual({ 'stop:api:1': '-', 'stop:db:1': '-', 'stop:web:1': '-' });
    const toolStop = planOf(p, observed({ containers: [container({ service: 'tool', platform: 'linux' })] }), { command: 'stop' });
    expect(formatPlan(toolStop)).toContain('stop container shop-tool-1 (timeout 3s, SIGINT)');
  });

  it('start starts what is stopped, after its dependencies', () => {
    const stopped = observed({
      containers: [
        container({ service: 'db', platform: 'linux', status: 'exited' }),
        container({ service: 'api', platform: 'windows', status: 'exited' }),
        container({ service: 'web', platform: 'windows' }),
      ],
    });
    expect(planOf(p, stopped, { command: 'start' }).operations.map((op) => `${op.id} <- ${op.deps.join(',')}`)).toEqual([
      'start:api:1 <- start:db:1',
      'start:db:1 <- ',
    ]);
  });

  it('start waits for service_healthy / completed dependencies like up does (Q7)', () => {
    const healthy = project([
      service('db', { command: ['sleep', '1'], healthcheck: { test: ['CMD', 'true'] } }),
      service('init', { command: ['true'] }),
      service('web', {
        platform: 'windows',
        command: ['sleep', '1'],
        depends_on: {
          db: { condition: 'service_healthy', required: true, restart: false },
          init: { condition: 'service_completed_successfully', required: true, restart: false },
        },
      }),
    ]);
    const stopped = observed({
      containers: [
        container({ service: 'db', platform: 'linux', status: 'exited' }),
        container({ service: 'init', platform: 'linux', status: 'exited', exitCode: 0 }),
        container({ service: 'web', platform: 'windows', status: 'exited' }),
      ],
    });
    const plan = planOf(healthy, stopped, { command: 'start', services: ['db', 'web'] });
    expect(debugPlan(plan)).toMatchInlineSnapshot(`
      "start shop
      placement linux=linux windows=windows
      reach linux=ip (configured); windows=ip (configured)
      start:db:1 start-container @linux container=db1000000000 inspect=false name=shop-db-1 platform=linux
      wait:db:1:healthy wait @linux condition=healthy container=db1000000000 name=shop-db-1 platform=linux timeoutMs=300000 waiter=web <- start:db:1
      wait:init:1:completed wait @linux condition=completed container=init10000000 name=shop-init-1 platform=linux timeoutMs=300000 waiter=web
      start:web:1 start-container @windows container=web100000000 inspect=false name=shop-web-1 platform=windows <- start:db:1 wait:db:1:healthy wait:init:1:completed
      "
    `);
  });

  it('restart a also restarts the services depending on it with restart: true, after it, unless --no-deps (Q20)', () => {
    const withRestart = project([
      service('a', { command: ['sleep', '1'] }),
      service('b', { platform: 'windows', command: ['sleep', '1'], depends_on: { a: { condition: 'service_started', required: true, restart: true } } }),
      service('c', { command: ['sleep', '1'], depends_on: { b: { condition: 'service_started', required: true, restart: true } } }),
      service('d', { command: ['sleep', '1'], depends_on: { a: { condition: 'service_started', required: true, restart: false } } }),
    ]);
    const state = observed({
      containers: ['a', 'c', 'd'].map((s) => container({ service: s, platform: 'linux' })).concat(container({ service: 'b', platform: 'windows' })),
    });
    const ids = (plan: ReturnType<typeof planOf>) => plan.operations.map((op) => `${op.id} <- ${op.deps.join(',')}`);
    expect(ids(planOf(withRestart, state, { command: 'restart', services: ['a'] }))).toEqual([
      'restart:a:1 <- ',
      'restart:b:1 <- restart:a:1',
      'restart:c:1 <- restart:b:1',
    ]);
    expect(ids(planOf(withRestart, state, { command: 'restart', services: ['a'], noDeps: true }))).toEqual(['restart:a:1 <- ']);
  });

  it('restart goes in dependency order and registers windows services in the resolver again', () => {
    const plan = planOf(p, running, { command: 'restart', services: ['db', 'api'] });
    expect(plan.operations.map((op) => `${op.id} <- ${op.deps.join(',')}`)).toEqual([
      'restart:api:1 <- restart:db:1',
      'hosts:api:1 <- restart:api:1',
      'restart:db:1 <- ',
    ]);
  });
});
