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

describe('nothing is silently lost', () => {
  it('reads label_file entries in order, with `labels` winning (compose-go TestLoadWithLabelFile)', async () => {
    const { project } = await load({
      'compose.yaml': 'services:\n  one:\n    image: x\n    label_file: ./a.label\n  two:\n    image: x\n    label_file: [./a.label, ./b.label]\n    labels: {BAR: from-labels}\n',
      'a.label': 'FOO=foo_a\nBAR=bar_a\nLABEL.WITH.DOT=ok\nREF=${FOO}-ref\n',
      'b.label': 'BAR=bar_b\nQUX=qux_b\n',
    });
    expect(project.services.one!.labels).toEqual({ FOO: 'foo_a', BAR: 'bar_a', 'LABEL.WITH.DOT': 'ok', REF: 'foo_a-ref' });
    expect(project.services.two!.labels).toEqual({ FOO: 'foo_a', BAR: 'from-labels', 'LABEL.WITH.DOT': 'ok', REF: 'foo_a-ref', QUX: 'qux_b' });
  });

  it('reports a missing label_file at its entry', async () => {
    const { errorsOf } = await import('./helpers.js');
    expect(await errorsOf({ 'compose.yaml': 'services:\n  one:\n    image: x\n    label_file: [./nope.label]\n' })).toEqual([
      'compose.yaml:4:18 services.one.label_file[0]: label file /proj/nope.label not found',
    ]);
  });

  it('keeps `external: {name: x}` on secrets and configs external, under that name', async () => {
    const { project } = await loadFromText(
      'services:\n  web: {image: x, secrets: [s], configs: [c]}\nsecrets:\n  s: {external: {name: real_secret}}\nconfigs:\n  c: {external: {name: real_config}}\n',
    );
    expect(project.secrets.s).toEqual({ name: 'real_secret', external: true });
    expect(project.configs.c).toEqual({ name: 'real_config', external: true });
  });

  it('carries top-level models and the services’ models (compose-go TestModels)', async () => {
    const { project } = await loadFromText(`services:
  test_array: {image: x, models: [foo]}
  test_mapping:
    image: x
    models:
      foo: {endpoint_var: MODEL_URL, model_var: MODEL}
models:
  foo:
    model: ai/model
    context_size: 1024
    runtime_flags: ["--some-flag"]
`);
    expect(project.models).toEqual({ foo: { model: 'ai/model', context_size: 1024, runtime_flags: ['--some-flag'] } });
    expect(project.services.test_mapping!.models).toEqual({ foo: { endpoint_var: 'MODEL_URL', model_var: 'MODEL' } });
  });

  it('keeps top-level and service x-* extensions, and `config` prints them (compose-go TestTopLevelExtensions)', async () => {
    const { renderConfig } = await import('../../../src/cli/commands/config.js');
    const { project } = await loadFromText('services:\n  foo: {image: alpine, x-bar: baz}\nx-foo: bar\nx-nested: {foo: bar, bar: baz}\nmodels: {m: {model: ai/x}}\n');
    expect(project.extensions).toEqual({ 'x-foo': 'bar', 'x-nested': { foo: 'bar', bar: 'baz' } });
    const out = renderConfig(project, { escape: false });
    expect(out['x-foo']).toBe('bar');
    expect(out['x-nested']).toEqual({ foo: 'bar', bar: 'baz' });
    expect(out.models).toEqual({ m: { model: 'ai/x' } });
    expect((out.services as Record<string, Record<string, unknown>>).foo!['x-bar']).toBe('baz');
  });
});

describe('extends (compose-go extends tests)', () => {
  const lent = `services:
  with_depends_on: {image: foo, depends_on: [zot]}
  with_volumes_from: {image: foo, volumes_from: [zot]}
  with_ipc: {image: foo, ipc: "service:zot"}
  with_network_mode: {image: foo, network_mode: "service:zot"}
  zot: {image: hidden}
  empty:
`;
  const cases = ['with_depends_on', 'with_volumes_from', 'with_ipc', 'with_network_mode'];
  it.each(cases)('inherits the references of %s: an error without the service, fine with it', async (base) => {
    const { errorsOf } = await import('./helpers.js');
    const main = `services:\n  bar:\n    extends: {file: ./lent.yaml, service: ${base}}\n`;
    const errors = await errorsOf({ 'compose.yaml': main, 'lent.yaml': lent });
    expect(errors.join('\n')).toContain('"zot"');
    const { project } = await load({ 'compose.yaml': `${main}  zot: {image: zot}\n`, 'lent.yaml': lent });
    expect(project.services.bar!.depends_on.zot).toBeDefined();
  });

  it('keeps depends_on of the base unless the service overrides it (PostHog) — !override replaces it', async () => {
    const { project } = await loadFromText(`services:
  a: {image: a, depends_on: [c]}
  b:
    extends: a
    depends_on: !override [a]
  d:
    extends: a
    depends_on: [a]
  c: {image: c}
`);
    expect(Object.keys(project.services.b!.depends_on)).toEqual(['a']);
    expect(Object.keys(project.services.d!.depends_on).sort()).toEqual(['a', 'c']);
  });

  it('accepts a null service in the extended file that is not extended (compose-go TestExtendsNil)', async () => {
    const { project } = await load({ 'compose.yaml': 'services:\n  bar:\n    extends: {file: ./lent.yaml, service: zot}\n', 'lent.yaml': lent });
    expect(project.services.bar!.image).toBe('hidden');
  });

  it('requires `service` in extends (compose-go TestExtendsWihtMissingService)', async () => {
    const { errorsOf } = await import('./helpers.js');
    const errors = await errorsOf({ 'compose.yaml': 'services:\n  bar:\n    image: x\n    extends: {file: ./lent.yaml}\n', 'lent.yaml': lent });
    expect(errors.join('\n')).toMatch(/extends.*service/);
  });

  it('resolves build.context of a service extended in another directory against that directory (TestLoadExtendsSameFile)', async () => {
    const { project } = await load({
      'compose.yaml': 'services:\n  out-base:\n    extends: {file: sub/compose.yaml, service: base}\n  out-service:\n    extends: {file: sub/compose.yaml, service: service}\n',
      'sub/compose.yaml': 'services:\n  base:\n    build: {context: ..}\n  service:\n    extends: base\n    build: {target: target}\n',
    });
    expect(project.services['out-base']!.build?.context).toBe('/proj');
    expect(project.services['out-service']!.build).toMatchObject({ context: '/proj', target: 'target' });
  });

  it('merges extended ports and ulimits (TestExtendsPort, TestExtendsUlimits)', async () => {
    const { project } = await load({
      'compose.yaml': 'services:\n  p:\n    image: t\n    extends: {file: b.yaml, service: with-port}\n  u:\n    extends: {file: b.yaml, service: u}\n',
      'b.yaml': 'services:\n  with-port:\n    ports: ["8000:8000"]\n  u:\n    image: t\n    ulimits: {nproc: 65535, nofile: {soft: 20000, hard: 40000}}\n',
    });
    expect(project.services.p!.ports[0]!.target).toBe(8000);
    expect(project.services.u!.ulimits).toEqual({ nproc: 65535, nofile: { soft: 20000, hard: 40000 } });
  });
});
