/**
 * Loading as compose-go's loader expects (its loader, loader/tests, override, extends, include and
 * reset tests), restated with our own files; and the cases of issue 11 found on real projects.
 */
import { describe, expect, it } from 'vitest';
import { issuesOf, load, loadFromText } from './helpers.js';

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

describe('merging -f files (compose-go override tests)', () => {
  const merged = async (base: string, over: string) => (await load({ 'compose.yaml': base, 'over.yaml': over }, { files: ['compose.yaml', 'over.yaml'] })).project;

  it('merges labels whatever form each file uses (list, mapping, mixed, numbers)', async () => {
    expect((await merged('services:\n  t:\n    image: foo\n    labels: [FOO=BAR]\n', 'services:\n  t:\n    labels: [QIX=ZOT, EMPTY=]\n')).services.t!.labels).toEqual({ FOO: 'BAR', QIX: 'ZOT', EMPTY: '' });
    expect((await merged('services:\n  t:\n    image: foo\n    labels: {FOO: BAR}\n', 'services:\n  t:\n    labels: {EMPTY: "", QIX: ZOT}\n')).services.t!.labels).toEqual({ FOO: 'BAR', EMPTY: '', QIX: 'ZOT' });
    expect((await merged('services:\n  t:\n    image: foo\n    labels: {FOO: BAR}\n', 'services:\n  t:\n    labels: [QIX=ZOT]\n')).services.t!.labels).toEqual({ FOO: 'BAR', QIX: 'ZOT' });
    expect((await merged('services:\n  t:\n    image: foo\n    labels: {FOO: 1}\n', 'services:\n  t:\n    labels: {FOO: 3}\n')).services.t!.labels).toEqual({ FOO: '3' });
  });

  it('merges deploy, network and volume labels whatever form each file uses', async () => {
    const p = await merged(
      'services:\n  t:\n    image: foo\n    deploy: {labels: {FOO: BAR}}\nnetworks:\n  n: {labels: [A=1]}\nvolumes:\n  v: {labels: {A: "1"}}\n',
      'services:\n  t:\n    deploy: {labels: [QIX=ZOT]}\nnetworks:\n  n: {labels: {B: "2"}}\nvolumes:\n  v: {labels: [B=2]}\n',
    );
    expect(p.services.t!.deploy).toEqual({ labels: { FOO: 'BAR', QIX: 'ZOT' } });
    expect(p.networks.n!.labels).toEqual({ A: '1', B: '2' });
    expect(p.volumes.v!.labels).toEqual({ A: '1', B: '2' });
  });

  it('merges devices by container path (Test_mergeYamlDevices, …Override)', async () => {
    const base = "services:\n  t:\n    image: foo\n    devices: ['/dev/sda:/dev/sda', '/dev/sdb:/dev/sdb', '/dev/sdd:/dev/sdd']\n";
    expect((await merged(base, "services:\n  t:\n    devices: ['/dev/sde:/dev/sde']\n")).services.t!.devices).toEqual(['/dev/sda:/dev/sda', '/dev/sdb:/dev/sdb', '/dev/sdd:/dev/sdd', '/dev/sde:/dev/sde']);
    expect((await merged(base, "services:\n  t:\n    devices: ['/dev/nvme0n1p1:/dev/sda', {source: /dev/nvme1, target: /dev/sdb}]\n")).services.t!.devices).toEqual([
      '/dev/nvme0n1p1:/dev/sda',
      { source: '/dev/nvme1', target: '/dev/sdb' },
      '/dev/sdd:/dev/sdd',
    ]);
  });

  it('merges secrets and configs by target (a secret without one mounts at /run/secrets/<source>)', async () => {
    const p = await merged(
      'services:\n  t:\n    image: foo\n    secrets: [s, {source: o, target: /x}]\n    configs: [c]\nsecrets: {s: {file: ./s}, o: {file: ./o}, p: {file: ./p}}\nconfigs: {c: {file: ./c}}\n',
      'services:\n  t:\n    secrets: [{source: s, target: /run/secrets/s, mode: 0400}, {source: p, target: /x}]\n    configs: [{source: c, target: /c, uid: "1"}]\n',
    );
    expect(p.services.t!.secrets).toEqual([
      { source: 's', target: '/run/secrets/s', mode: 0o400 },
      { source: 'p', target: '/x' },
    ]);
    expect(p.services.t!.configs).toEqual([{ source: 'c', target: '/c', uid: '1' }]);
  });

  it('merges ipam.config by subnet', async () => {
    const p = await merged(
      'services:\n  t: {image: foo}\nnetworks:\n  n:\n    ipam:\n      config:\n        - {subnet: 10.1.0.0/16, gateway: 10.1.0.1}\n        - {subnet: 10.2.0.0/16}\n',
      'networks:\n  n:\n    ipam:\n      config:\n        - {subnet: 10.2.0.0/16, ip_range: 10.2.1.0/24}\n        - {subnet: 10.3.0.0/16}\n',
    );
    expect((p.networks.n!.ipam as { config: unknown }).config).toEqual([
      { subnet: '10.1.0.0/16', gateway: '10.1.0.1' },
      { subnet: '10.2.0.0/16', ip_range: '10.2.1.0/24' },
      { subnet: '10.3.0.0/16' },
    ]);
  });

  it('merges extra_hosts without repeating an entry, whatever the form (TestMergeExtraHosts*)', async () => {
    expect((await merged('services:\n  t:\n    image: foo\n    extra_hosts: [example.com=1.2.3.4]\n', 'services:\n  t:\n    extra_hosts: [localhost=127.0.0.1, example.com=1.2.3.4, example.com=4.3.2.1]\n')).services.t!.extra_hosts).toEqual([
      'example.com=1.2.3.4',
      'localhost=127.0.0.1',
      'example.com=4.3.2.1',
    ]);
    expect((await merged('services:\n  t:\n    image: foo\n    extra_hosts: {example.com: 1.2.3.4}\n', 'services:\n  t:\n    extra_hosts: {localhost: 127.0.0.1, example.com: [1.2.3.4, 4.3.2.1]}\n')).services.t!.extra_hosts).toEqual([
      'example.com=1.2.3.4',
      'localhost=127.0.0.1',
      'example.com=4.3.2.1',
    ]);
  });
});

describe('extra_hosts forms (compose-go extra_hosts tests)', () => {
  it('reads mappings, host:ip, repeated hosts, host=ip1,ip2 and lists of addresses', async () => {
    const { project } = await loadFromText(`services:
  map: {image: x, extra_hosts: {alpha: "50.31.209.229", zulu: "162.242.195.82"}}
  list: {image: x, extra_hosts: ["alpha:50.31.209.229", "zulu:127.0.0.2", "zulu:ff02::1"]}
  repeated: {image: x, extra_hosts: ["myhost=0.0.0.1,0.0.0.2"]}
  long: {image: x, extra_hosts: {myhost: ["0.0.0.1", "0.0.0.2"]}}
`);
    expect(project.services.map!.extra_hosts).toEqual(['alpha=50.31.209.229', 'zulu=162.242.195.82']);
    expect(project.services.list!.extra_hosts).toEqual(['alpha=50.31.209.229', 'zulu=127.0.0.2', 'zulu=ff02::1']);
    expect(project.services.repeated!.extra_hosts).toEqual(['myhost=0.0.0.1', 'myhost=0.0.0.2']);
    expect(project.services.long!.extra_hosts).toEqual(['myhost=0.0.0.1', 'myhost=0.0.0.2']);
  });
});

describe('include (compose-go include tests)', () => {
  it('feeds environment: [VAR] of the included services from its env_file, not the including ones (TestLoadWithIncludeEnv)', async () => {
    const { project } = await load({
      'compose.yml': 'include:\n  - path: [./module/compose.yml]\n    env_file: [./custom.env]\nservices:\n  a:\n    image: alpine\n    environment: [VAR_NAME]\n',
      'custom.env': 'VAR_NAME=value\n',
      'module/compose.yml': 'services:\n  b:\n    image: alpine\n    environment: [VAR_NAME]\n  c:\n    image: alpine\n    environment: [VAR_NAME]\n',
    });
    expect(project.services.a!.environment.VAR_NAME).toBeNull();
    expect(project.services.b!.environment.VAR_NAME).toBe('value');
    expect(project.services.c!.environment.VAR_NAME).toBe('value');
  });

  it('resolves extends.file of an included file against its project_directory (TestNestedIncludeAndExtends)', async () => {
    const { project } = await load({
      'compose.yml': 'include:\n  - project_directory: .\n    path: dir/included.yaml\n',
      'dir/included.yaml': 'services:\n  included:\n    extends: {file: dir/extended.yaml, service: extended}\n',
      'dir/extended.yaml': 'services:\n  extended:\n    image: alpine\n',
    });
    expect(project.services.included!.image).toBe('alpine');
  });

  it('interpolates an included file with its env_file, and reads that file’s own env_file next to it (TestLoadWithMultipleInclude)', async () => {
    const { project } = await load(
      {
        'compose.yaml': 'include:\n  - path: ./sub/imported.yaml\n    env_file: ./sub/extra.env\nservices:\n  foo:\n    image: busybox\n    depends_on: [imported]\n',
        'sub/imported.yaml': 'services:\n  imported:\n    image: nginx\n    container_name: ${SOURCE:-imported}\n    env_file: [./extra.env]\n',
        'sub/extra.env': 'SOURCE=extends\n',
      },
      { environment: { SOURCE: 'override' } },
    );
    expect(project.services.imported!.container_name).toBe('override');
    expect(project.services.imported!.environment).toEqual({ SOURCE: 'extends' });
  });

  it('resolves relative paths of an included file against its project_directory (TestIncludeWithProjectDirectory)', async () => {
    const { project } = await load({
      'compose.yaml': 'include:\n  - path: ./inc/compose.yaml\n    project_directory: ./sub\n',
      'inc/compose.yaml': 'services:\n  service:\n    build: .\n    volumes: [./data:/data]\n    env_file: [./extra.env]\n',
      'sub/extra.env': 'A=1\n',
    });
    const svc = project.services.service!;
    expect(svc.build?.context).toBe('/proj/sub');
    expect(svc.volumes[0]).toMatchObject({ source: '/proj/sub/data' });
    expect(svc.environment).toEqual({ A: '1' });
  });
});

describe('valid files compose accepts', () => {
  it('accepts pre_start hooks (compose-go service_hooks tests)', async () => {
    const { project } = await loadFromText('services:\n  web:\n    image: x\n    pre_start: [{command: echo pre, user: root}]\n    post_start: [{command: echo post}]\n    pre_stop: [{command: echo stop}]\n');
    expect(project.services.web!.pre_start).toEqual([{ command: 'echo pre', user: 'root' }]);
  });

  it('accepts service_healthy on a service whose healthcheck may come from its image (plan time decides)', async () => {
    const { project } = await loadFromText('services:\n  db: {image: postgres}\n  web:\n    image: x\n    depends_on: {db: {condition: service_healthy}}\n');
    expect(project.services.web!.depends_on.db!.condition).toBe('service_healthy');
  });

  it('accepts device requests with count as a number, "all" or numeric text, or neither (TestServiceDeviceRequest*)', async () => {
    for (const count of ['1', 'all', '"1"', undefined]) {
      const c = count === undefined ? '' : `, count: ${count}`;
      await loadFromText(`services:\n  web:\n    image: x\n    deploy: {resources: {reservations: {devices: [{capabilities: [gpu]${c}}]}}}\n`);
    }
  });
});

describe('invalid files compose rejects', () => {
  it('rejects an environment key with a trailing space (compose-go TestEnvironmentWhitespace)', async () => {
    expect(await issuesOf('services:\n  web:\n    image: x\n    environment:\n      - DEBUG =1\n')).toEqual([
      'compose.yaml:5:9 services.web.environment.DEBUG : environment variable "DEBUG " is declared with a trailing space',
    ]);
  });

  it('rejects a bind mount without a source', async () => {
    expect(await issuesOf('services:\n  web:\n    image: x\n    volumes:\n      - {type: bind, target: /data}\n')).toEqual([
      'compose.yaml:5:9 services.web.volumes[0]: a bind mount needs a source (the host path to mount)',
    ]);
  });

  it('rejects an external volume that also sets driver, driver_opts or labels (compose-go validation/external)', async () => {
    expect(await issuesOf('services:\n  web: {image: x, volumes: ["v:/v"]}\nvolumes:\n  v:\n    external: true\n    driver: local\n    driver_opts: {type: nfs}\n    labels: [a=b]\n')).toEqual([
      'compose.yaml:6:5 volumes.v.driver: conflicting parameters "external" and "driver" specified: an external volume exists already, so mixcompose does not create it',
      'compose.yaml:7:5 volumes.v.driver_opts: conflicting parameters "external" and "driver_opts" specified: an external volume exists already, so mixcompose does not create it',
      'compose.yaml:8:5 volumes.v.labels: conflicting parameters "external" and "labels" specified: an external volume exists already, so mixcompose does not create it',
    ]);
  });

  it('rejects a device request count that is not a number or "all", count with device_ids, and no capabilities', async () => {
    expect(
      await issuesOf(`services:
  web:
    image: x
    deploy:
      resources:
        reservations:
          devices:
            - {capabilities: [gpu], count: some_string}
            - {capabilities: [gpu], count: 2, device_ids: [my-device-id]}
            - {count: 2}
    gpus: [{count: 1, device_ids: ["0"]}]
`),
    ).toEqual([
      `compose.yaml:8:37 services.web.deploy.resources.reservations.devices[0].count: invalid value "some_string", the only value allowed is 'all' or a number`,
      'compose.yaml:9:15 services.web.deploy.resources.reservations.devices[1]: "count" and "device_ids" attributes are exclusive',
      "compose.yaml:10:15 services.web.deploy.resources.reservations.devices[2]: missing property 'capabilities' (as in [gpu])",
      'compose.yaml:11:12 services.web.gpus[0]: "count" and "device_ids" attributes are exclusive',
    ]);
  });

  it('rejects develop.watch entries without action or path, and sync without target (compose-go develop tests)', async () => {
    expect(
      await issuesOf(`services:
  frontend:
    image: x
    develop:
      watch:
        - {path: ./src}
        - {action: sync, path: ./src}
        - {action: rebuild}
        - {action: rebuild, path: package.json}
`),
    ).toEqual([
      "compose.yaml:6:11 services.frontend.develop.watch[0]: missing property 'action' (one of rebuild, restart, sync, sync+restart, sync+exec)",
      'compose.yaml:7:11 services.frontend.develop.watch[1]: target is required for the sync action (where in the container to sync)',
      "compose.yaml:8:11 services.frontend.develop.watch[2]: missing property 'path' (the files to watch)",
    ]);
  });
});

describe('YAML aliases (compose-go TestAliasBombPrevented)', () => {
  const nested = (levels: number) => {
    const lines = ['services:', '  a: {image: busybox}', 'x-bomb:', '  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i <= levels; i++) lines.push(`  l${i}: &l${i} [${Array(10).fill(`*l${i - 1}`).join(', ')}]`);
    return `${lines.join('\n')}\n`;
  };

  it('refuses a billion laughs at the alias that expands, without expanding it', async () => {
    expect(await issuesOf(nested(9))).toEqual([
      'compose.yaml:13:12: the document expands aliases too much (like a "billion laughs" attack): *l8 here stands for about 1e+9 values; refusing to load it',
    ]);
  });

  it('loads moderate nesting (three levels of ten)', async () => {
    const { project } = await loadFromText(nested(3));
    expect(((project.extensions!['x-bomb'] as Record<string, unknown[][][]>).l3)!.flat(2)).toHaveLength(1000);
  });
});
