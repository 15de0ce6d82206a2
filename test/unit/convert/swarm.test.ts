/**
 * `convert --to swarm`: the mixed example against its golden stack file, and the rules one by one
 * (placement merged with the user's, build needs an image, Windows without routing mesh, encrypted
 * overlays and Windows tasks).
 */
import { describe, expect, it } from 'vitest';
import { convertToSwarm } from '../../../src/convert/swarm.js';
import { platformConstraints } from '../../../src/convert/swarm-placement.js';
import { formatProblem } from '../../../src/convert/problems.js';
import { loadFromText } from '../config/helpers.js';
import { goldenOrUpdate, loadMixed } from './mixed-project.js';
import { renderOutput } from './render.js';

type Dict = Record<string, any>;

describe('convert --to swarm', () => {
  it('writes the mixed example as its golden stack file, with the warnings', async () => {
    const { document, problems } = convertToSwarm(await loadMixed());
    const actual = renderOutput([document], problems);
    expect(actual).toBe(goldenOrUpdate('swarm.golden.yaml', actual));
  });

  it('places each service by its platform and keeps the user constraints', async () => {
    const { document, problems } = convertToSwarm(await loadMixed());
    const services = document.services as Dict;
    expect(services.web.deploy.placement.constraints).toEqual(['node.platform.os == windows', 'node.platform.arch == x86_64']);
    expect(services.db.deploy.placement.constraints).toEqual(['node.labels.disk == ssd', 'node.platform.os == linux']);
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('rewrites address references to service names and container ports', async () => {
    const { document } = convertToSwarm(await loadMixed());
    const services = document.services as Dict;
    expect(services.web.environment).toEqual({ API_URL: 'http://api:5000', DB_IP: 'db' });
    expect(services.api.environment).toEqual({ DB_HOST: 'db', DB_PORT: '5432' });
    expect((document.networks as Dict).default).toEqual({ driver: 'overlay' });
  });

  it('turns every depends_on into a warning that says the condition', async () => {
    const { problems } = convertToSwarm(await loadMixed());
    const lines = problems.map(formatProblem);
    expect(lines).toContain(
      'service web: depends_on api (condition: service_healthy) is ignored by docker stack deploy: Swarm starts every service at once and restarts failed tasks, so web must retry until api answers',
    );
  });

  it('refuses a build without an image name', async () => {
    const { project } = await loadFromText('services:\n  app:\n    build: .\n');
    const { problems } = convertToSwarm(project);
    expect(problems.filter((p) => p.severity === 'error').map(formatProblem)).toEqual([
      'service app: build: Swarm nodes cannot build; set image: to a name the nodes can pull, then build and push it (mixcompose build; docker push)',
    ]);
  });

  it('uses dnsrr and host-mode ports for Windows services when the nodes have no routing mesh', async () => {
    const { document, problems } = convertToSwarm(await loadMixed(), { windowsRoutingMesh: false });
    const web = (document.services as Dict).web;
    expect(web.deploy.endpoint_mode).toBe('dnsrr');
    expect(web.ports).toEqual([{ target: 80, published: 8080, protocol: 'tcp', mode: 'host' }]);
    expect(problems.map(formatProblem)).toContain('service web: ports[0]: published in host mode (no routing mesh with endpoint_mode dnsrr)');
    expect((document.services as Dict).api.deploy.endpoint_mode).toBeUndefined();
  });

  it('refuses an encrypted overlay that a Windows service joins', async () => {
    const { project } = await loadFromText(
      'services:\n  win:\n    image: mcr.microsoft.com/windows/nanoserver:ltsc2022\n    platform: windows\n    networks: [secure]\nnetworks:\n  secure:\n    driver: overlay\n    driver_opts: {encrypted: ""}\n',
    );
    const { problems } = convertToSwarm(project);
    expect(problems.filter((p) => p.severity === 'error').map(formatProblem)).toEqual([
      'network secure is an encrypted overlay, which Windows tasks cannot join (win); give them a network without driver_opts.encrypted',
    ]);
  });

  it('says which user constraint contradicts the platform', () => {
    expect(platformConstraints({ os: 'windows', raw: 'windows' }, ['node.platform.os == linux'])).toEqual({
      constraints: ['node.platform.os == linux', 'node.platform.os == windows'],
      conflict: 'node.platform.os == linux',
    });
    expect(platformConstraints({ os: 'linux', raw: 'linux' }, ['node.platform.os==linux'])).toEqual({ constraints: ['node.platform.os==linux'] });
    expect(platformConstraints({ os: 'linux', raw: 'linux/arm64', architecture: 'arm64' }, [])).toEqual({
      constraints: ['node.platform.os == linux', 'node.platform.arch == aarch64'],
    });
  });

  it('maps restart, scale and limits onto deploy', async () => {
    const { project } = await loadFromText("services:\n  a:\n    image: busybox\n    restart: on-failure:3\n    scale: 2\n    cpus: 0.5\n    mem_limit: 64m\n");
    const deploy = ((convertToSwarm(project).document.services as Dict).a as Dict).deploy;
    expect(deploy.restart_policy).toEqual({ condition: 'on-failure', max_attempts: 3 });
    expect(deploy.replicas).toBe(2);
    expect(deploy.resources.limits.cpus).toBe('0.5');
  });
});
