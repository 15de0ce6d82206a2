/**
 * x-mixcompose.kubernetes / x-mixcompose.swarm in the file, and the `convert` flags that override them.
 */
import { describe, expect, it } from 'vitest';
import { kubernetesOptionsFor, parseToleration } from '../../../src/cli/commands/convert.js';
import { convertToKubernetes } from '../../../src/convert/kubernetes.js';
import { UsageError } from '../../../src/errors.js';
import { issuesOf, loadFromText } from '../config/helpers.js';

type Dict = Record<string, any>;

const FILE = `services:
  web:
    image: corp/web:1.0
    platform: windows
    volumes: [data:/data]
volumes:
  data: {}
x-mixcompose:
  swarm:
    windows_routing_mesh: false
  kubernetes:
    windows_tolerations:
      - {key: sku, operator: Equal, value: windows, effect: NoSchedule}
    windows_os_versions:
      corp/web:1.0: 10.0.17763.5122
    storage_size: 5Gi
`;

const noFlags = { windowsToleration: [], windowsOsVersion: [] };

describe('cluster settings in the file', () => {
  it('are loaded under the project extension', async () => {
    const { project } = await loadFromText(FILE);
    expect(project.extension.swarm).toEqual({ windows_routing_mesh: false });
    expect(project.extension.kubernetes?.storage_size).toBe('5Gi');
  });

  it('shape the Windows pods and the claims', async () => {
    const { project } = await loadFromText(FILE);
    const { manifests } = convertToKubernetes(project, kubernetesOptionsFor(project, noFlags));
    const web = manifests.find((m: Dict) => m.kind === 'StatefulSet') as Dict;
    expect(web.spec.template.spec.tolerations).toEqual([{ key: 'sku', operator: 'Equal', value: 'windows', effect: 'NoSchedule' }]);
    expect(web.spec.template.spec.nodeSelector['node.kubernetes.io/windows-build']).toBe('10.0.17763');
    expect(web.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('5Gi');
  });

  it('flags override them', async () => {
    const { project } = await loadFromText(FILE);
    const options = kubernetesOptionsFor(project, { windowsToleration: ['os:NoExecute'], windowsRuntimeClass: 'win', windowsOsVersion: ['corp/web:1.0=10.0.20348.1'] });
    expect(options.windowsTolerations).toEqual([{ key: 'os', operator: 'Exists', effect: 'NoExecute' }]);
    expect(options.windowsRuntimeClass).toBe('win');
    expect(options.imageOsVersions).toEqual({ 'corp/web:1.0': '10.0.20348.1' });
  });

  it('a wrong effect is a schema error that names the key', async () => {
    const problems = await issuesOf('services:\n  a:\n    image: busybox\nx-mixcompose:\n  kubernetes:\n    windows_tolerations: [{key: os, effect: Never}]\n');
    expect(problems.join('\n')).toMatch(/x-mixcompose\.kubernetes\.windows_tolerations\[0\]\.effect/);
  });

  it('a toleration flag that does not parse is a usage error', () => {
    expect(() => parseToleration('os=windows')).toThrow(UsageError);
    expect(parseToleration('os=windows:NoSchedule')).toEqual({ key: 'os', operator: 'Equal', value: 'windows', effect: 'NoSchedule' });
  });
});
