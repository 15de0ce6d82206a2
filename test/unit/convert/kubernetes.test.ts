/**
 * `convert --to kubernetes`: the mixed example against its golden manifests (valid against the
 * Kubernetes schemas), and the Windows rules one by one.
 */
import { describe, expect, it } from 'vitest';
import { convertToKubernetes } from '../../../src/convert/kubernetes.js';
import { validateManifests } from '../../../src/convert/kubernetes-validate.js';
import { windowsBuild } from '../../../src/convert/kubernetes-windows.js';
import { formatProblem } from '../../../src/convert/problems.js';
import { loadFromText } from '../config/helpers.js';
import { goldenOrUpdate, loadMixed } from './mixed-project.js';
import { renderOutput } from './render.js';

type Dict = Record<string, any>;
const find = (manifests: readonly Dict[], kind: string, name: string): Dict => manifests.find((m) => m.kind === kind && m.metadata.name === name)!;
const podOf = (manifests: readonly Dict[], kind: string, name: string): Dict => find(manifests, kind, name).spec.template.spec;

describe('convert --to kubernetes', () => {
  it('writes the mixed example as its golden manifests, with the warnings', async () => {
    const { manifests, problems } = convertToKubernetes(await loadMixed(), { readFile: (path) => (path.endsWith('db_password.txt') ? 'secret\n' : undefined) });
    const actual = renderOutput(manifests, problems);
    expect(actual).toBe(goldenOrUpdate('kubernetes.golden.yaml', actual));
  });

  it('produces manifests the Kubernetes schemas accept', async () => {
    const { manifests } = convertToKubernetes(await loadMixed());
    expect(validateManifests(manifests)).toEqual([]);
  });

  it('the validator reports what the schemas refuse, per manifest', () => {
    expect(validateManifests([{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' }, spec: { ports: [{ port: 'eighty' }] } }])).toEqual([
      'Service/x: /spec/ports/0/port must be integer',
    ]);
    expect(validateManifests([{ apiVersion: 'v9', kind: 'Thing', metadata: { name: 'y' } }])).toEqual(['Thing/y: no schema for v9/Thing']);
  });

  it('places pods by OS: nodeSelector, spec.os and the Windows toleration', async () => {
    const { manifests } = convertToKubernetes(await loadMixed());
    const web = podOf(manifests, 'Deployment', 'web');
    expect(web.nodeSelector).toEqual({ 'kubernetes.io/os': 'windows', 'kubernetes.io/arch': 'amd64', 'node.kubernetes.io/windows-build': '10.0.20348' });
    expect(web.os).toEqual({ name: 'windows' });
    expect(web.tolerations).toEqual([{ key: 'os', operator: 'Equal', value: 'windows', effect: 'NoSchedule' }]);
    const db = podOf(manifests, 'StatefulSet', 'db');
    expect(db.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
    expect(db.tolerations).toBeUndefined();
  });

  it('takes the tolerations, or a RuntimeClass instead, from the options', async () => {
    const project = await loadMixed();
    const custom = convertToKubernetes(project, { windowsTolerations: [{ key: 'sku', operator: 'Exists', effect: 'NoSchedule' }] });
    expect(podOf(custom.manifests, 'Deployment', 'web').tolerations).toEqual([{ key: 'sku', operator: 'Exists', effect: 'NoSchedule' }]);
    const runtime = convertToKubernetes(project, { windowsRuntimeClass: 'windows-2022' });
    const web = podOf(runtime.manifests, 'Deployment', 'web');
    expect(web.runtimeClassName).toBe('windows-2022');
    expect(web.tolerations).toBeUndefined();
    expect(validateManifests(runtime.manifests)).toEqual([]);
  });

  it('derives node.kubernetes.io/windows-build from the image os.version, else from a well-known tag', () => {
    expect(windowsBuild('corp/app:1.0', { 'corp/app:1.0': '10.0.17763.5122' })).toBe('10.0.17763');
    expect(windowsBuild('mcr.microsoft.com/windows/servercore:ltsc2019')).toBe('10.0.17763');
    expect(windowsBuild('mcr.microsoft.com/windows/nanoserver:ltsc2022')).toBe('10.0.20348');
    expect(windowsBuild('corp/app:latest')).toBeUndefined();
  });

  it('turns a named volume into a StatefulSet claim and address references into Service names', async () => {
    const { manifests } = convertToKubernetes(await loadMixed());
    const db = find(manifests, 'StatefulSet', 'db');
    expect(db.spec.volumeClaimTemplates.map((c: Dict) => c.metadata.name)).toEqual(['dbdata']);
    expect(db.spec.serviceName).toBe('db');
    expect(podOf(manifests, 'Deployment', 'api').containers[0].env).toEqual([
      { name: 'DB_HOST', value: 'db' },
      { name: 'DB_PORT', value: '5432' },
    ]);
    expect(find(manifests, 'Service', 'db').spec.ports).toEqual([{ name: 'tcp-5432', port: 5432, targetPort: 5432, protocol: 'TCP' }]);
  });

  it('waits for a service_healthy dependency with an init container, and probes its healthcheck', async () => {
    const { manifests } = convertToKubernetes(await loadMixed());
    const web = podOf(manifests, 'Deployment', 'web');
    expect(web.initContainers.map((c: Dict) => [c.name, c.image])).toEqual([['wait-for-api', 'mcr.microsoft.com/powershell:lts-nanoserver-ltsc2022']]);
    expect(web.initContainers[0].command.at(-1)).toContain('Test-Connection -TargetName api -TcpPort 5000');
    const api = podOf(manifests, 'Deployment', 'api');
    expect(api.containers[0].readinessProbe).toEqual({ exec: { command: ['wget', '-qO-', 'http://localhost:5000/health'] }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 });
  });

  it('a Linux wait uses nc against the Service port, or the headless name when there is no port', async () => {
    const { project } = await loadFromText(
      'services:\n  app:\n    image: busybox\n    depends_on:\n      db: {condition: service_healthy}\n      worker: {condition: service_healthy}\n  db:\n    image: postgres\n    expose: ["5432"]\n    healthcheck: {test: "pg_isready"}\n  worker:\n    image: busybox\n    healthcheck: {test: ["CMD", "true"]}\n',
    );
    const { manifests } = convertToKubernetes(project);
    const init = podOf(manifests, 'Deployment', 'app').initContainers.map((c: Dict) => c.command[2]);
    expect(init).toEqual(['until nc -z -w 2 db 5432 >/dev/null 2>&1; do echo waiting for db; sleep 2; done', 'until nslookup worker >/dev/null 2>&1; do echo waiting for worker; sleep 2; done']);
    expect(find(manifests, 'Service', 'worker').spec.clusterIP).toBe('None');
    expect(podOf(manifests, 'Deployment', 'db').containers[0].readinessProbe.exec.command).toEqual(['/bin/sh', '-c', 'pg_isready']);
    expect(validateManifests(manifests)).toEqual([]);
  });

  it('drops what Windows pods refuse, with a warning per option', async () => {
    const { project } = await loadFromText('services:\n  w:\n    image: mcr.microsoft.com/windows/nanoserver:ltsc2022\n    platform: windows\n    user: "1000"\n    cap_add: [NET_ADMIN]\n');
    const { manifests, problems } = convertToKubernetes(project);
    expect(podOf(manifests, 'Deployment', 'w').containers[0].securityContext).toBeUndefined();
    expect(problems.map(formatProblem)).toEqual([
      'service w: cap_add dropped: Windows pods do not support capabilities',
      'service w: user dropped: Windows pods do not support runAsUser/runAsGroup (a Windows user name goes to windowsOptions.runAsUserName)',
    ]);
    const named = convertToKubernetes((await loadFromText('services:\n  w:\n    image: mcr.microsoft.com/windows/nanoserver:ltsc2022\n    platform: windows\n    user: ContainerUser\n')).project);
    expect(podOf(named.manifests, 'Deployment', 'w').containers[0].securityContext).toEqual({ windowsOptions: { runAsUserName: 'ContainerUser' } });
  });

  it('refuses a build without an image name', async () => {
    const { project } = await loadFromText('services:\n  app:\n    build: .\n');
    expect(convertToKubernetes(project).problems.filter((p) => p.severity === 'error').map(formatProblem)).toEqual([
      'service app: build: a cluster cannot build; set image: to a name the nodes can pull, then build and push it',
    ]);
  });
});

describe('names in pods', () => {
  it('extra_hosts become hostAliases on Linux and a warning on Windows; dns becomes dnsConfig', async () => {
    const { project } = await loadFromText(
      'services:\n  l:\n    image: busybox\n    extra_hosts: ["db.local=10.0.0.5", "cache.local:10.0.0.5"]\n    dns: [1.1.1.1]\n  w:\n    image: mcr.microsoft.com/windows/nanoserver:ltsc2022\n    platform: windows\n    extra_hosts: ["db.local=10.0.0.5"]\n',
    );
    const { manifests, problems } = convertToKubernetes(project);
    const l = podOf(manifests, 'Deployment', 'l');
    expect(l.hostAliases).toEqual([{ ip: '10.0.0.5', hostnames: ['db.local', 'cache.local'] }]);
    expect(l.dnsConfig).toEqual({ nameservers: ['1.1.1.1'] });
    expect(podOf(manifests, 'Deployment', 'w').hostAliases).toBeUndefined();
    expect(problems.map(formatProblem)).toEqual(['service w: extra_hosts dropped: Windows containers do not read host entries (moby/moby#41165); use DNS names']);
    expect(validateManifests(manifests)).toEqual([]);
  });
});
