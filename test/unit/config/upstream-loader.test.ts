/**
 * Loading as compose-go's loader expects (its loader, loader/tests, override, extends, include and
 * reset tests), restated with our own files; and the cases of issue 11 found on real projects.
 */
import { describe, expect, it } from 'vitest';
import { load, loadFromText } from './helpers.js';

describe('{{ … }} text that is not an address reference passes through', () => {
  it('keeps Go templates (Swarm service templates) in any value', async () => {
    const { project, warnings } = await loadFromText(`services:
  db:
    image: postgres
  web:
    image: nginx
    hostname: "{{.Node.Hostname}}-{{ .Task.Slot }}"
    environment:
      TASK: "{{ .Task.Name }}"
      MIXED: "{{ db.host }} {{ json .Labels }}"
    labels: {tmpl: '{{ index .Labels "a" }}'}
    command: ["echo", "{{ .Service.Name }}"]
`);
    const web = project.services.web!;
    expect(web.hostname).toBe('{{.Node.Hostname}}-{{ .Task.Slot }}');
    expect(web.environment).toEqual({ TASK: '{{ .Task.Name }}', MIXED: '{{ db.host }} {{ json .Labels }}' });
    expect(web.labels).toEqual({ tmpl: '{{ index .Labels "a" }}' });
    expect(web.command).toEqual(['echo', '{{ .Service.Name }}']);
    expect(web.addressReferences.map((r) => r.text)).toEqual(['{{ db.host }}']);
    expect(warnings).toEqual([]);
  });

  it('warns (and passes through) reference-shaped text that names no service', async () => {
    const { project, warnings } = await loadFromText('services:\n  db: {image: x}\n  web:\n    image: x\n    environment: {A: "{{ dbb.host }}"}\n');
    expect(project.services.web!.environment.A).toBe('{{ dbb.host }}');
    expect(project.services.web!.addressReferences).toEqual([]);
    expect(warnings.map((w) => `${w.position?.line}: ${w.message}`)).toEqual(['5: {{ dbb.host }} is left as written: no service "dbb" (did you mean "db"?), so it is no address reference']);
  });
});

describe('empty values are unset', () => {
  it('an empty platform is no platform: the default applies (Sentry: platform: ${DOCKER_PLATFORM:-})', async () => {
    const { project } = await loadFromText('services:\n  web:\n    image: nginx\n    platform: ${DOCKER_PLATFORM:-}\n');
    expect(project.services.web!.platform).toEqual({ os: 'linux', raw: 'linux' });
  });

  it('an empty text key is left out (container_name, user, pull_policy…)', async () => {
    const { project } = await loadFromText('services:\n  web:\n    image: nginx\n    container_name: ${NAME:-}\n    user: ""\n    working_dir: ${DIR}\n', { environment: { DIR: '' } });
    const web = project.services.web!;
    expect('container_name' in web || 'user' in web || 'working_dir' in web).toBe(false);
  });
});
