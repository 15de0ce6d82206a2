import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { DIR, errorsOf, load, loadFromText } from './helpers.js';

const abs = (p: string) => path.resolve(DIR, p);

describe('loadProject: normal files', () => {
  it('fills the Service fields in canonical form', async () => {
    const { project } = await loadFromText(
      `services:
  api:
    image: nginx
    command: run --port "8080 x"
    environment: [A=1, B]
    ports: ["8080:80", "127.0.0.1:9000-9001:9000-9001/udp", 443]
    volumes: ["./data:/data:ro", "cache:/cache", "/anon"]
    labels: {tier: web, n: 1}
    extra_hosts: ["gw:10.0.0.1", "other=10.0.0.2"]
    depends_on: [db]
  db:
    image: postgres
    depends_on:
      cache: {condition: service_healthy, restart: true}
  cache:
    image: redis
    networks: [back]
    healthcheck: {test: redis-cli ping}
volumes:
  cache: {}
networks:
  back: {}
`,
      { environment: { B: 'from-env' } },
    );
    const api = project.services.api!;
    expect(api.platform).toEqual({ os: 'linux', raw: 'linux' });
    expect(api.command).toEqual(['run', '--port', '8080 x']);
    expect(api.environment).toEqual({ A: '1', B: 'from-env' });
    expect(api.ports).toEqual([
      { target: 80, published: '8080', protocol: 'tcp', mode: 'ingress' },
      { target: 9000, published: '9000', host_ip: '127.0.0.1', protocol: 'udp', mode: 'ingress' },
      { target: 9001, published: '9001', host_ip: '127.0.0.1', protocol: 'udp', mode: 'ingress' },
      { target: 443, protocol: 'tcp', mode: 'ingress' },
    ]);
    expect(api.volumes).toEqual([
      { type: 'bind', source: abs('data'), target: '/data', read_only: true, bind: { create_host_path: true } },
      { type: 'volume', source: 'cache', target: '/cache' },
      { type: 'volume', target: '/anon' },
    ]);
    expect(api.labels).toEqual({ tier: 'web', n: '1' });
    expect(api.extra_hosts).toEqual(['gw=10.0.0.1', 'other=10.0.0.2']);
    expect(api.depends_on).toEqual({ db: { condition: 'service_started', required: true, restart: false } });
    expect(api.networks).toEqual({ default: null });
    expect(project.services.db!.depends_on).toEqual({ cache: { condition: 'service_healthy', required: true, restart: true } });
    expect(project.services.cache!.networks).toEqual({ back: null });
    expect(project.networks).toEqual({ back: { name: 'proj_back' }, default: { name: 'proj_default' } });
    expect(project.volumes).toEqual({ cache: { name: 'proj_cache' } });
    expect(project.name).toBe('proj');
    expect(Object.keys(project.services)).toEqual(['api', 'cache', 'db']);
  });

  it('keeps null for environment entries without a value', async () => {
    const { project } = await loadFromText('services:\n  a:\n    image: x\n    environment: [UNSET]\n');
    expect(project.services.a!.environment).toEqual({ UNSET: null });
  });

  it('normalizes healthchecks', async () => {
    const { project } = await loadFromText(`services:
  a:
    image: x
    healthcheck: {test: curl -f localhost, interval: 5s, retries: 3}
  b:
    image: x
    healthcheck: {test: [NONE]}
`);
    expect(project.services.a!.healthcheck).toEqual({ test: ['CMD-SHELL', 'curl -f localhost'], interval: '5s', retries: 3 });
    expect(project.services.b!.healthcheck).toEqual({ test: ['NONE'], disable: true });
  });

  it('parses platforms and applies default_platform', async () => {
    const { project } = await loadFromText(`x-mixcompose:
  default_platform: windows
services:
  a: {image: x}
  b: {image: x, platform: linux/arm64/v8}
  c: {image: x, platform: windows/amd64}
`);
    expect(project.services.a!.platform).toEqual({ os: 'windows', raw: 'windows' });
    expect(project.services.b!.platform).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8', raw: 'linux/arm64/v8' });
    expect(project.services.c!.platform).toEqual({ os: 'windows', architecture: 'amd64', raw: 'windows/amd64' });
  });

  it('parses address references', async () => {
    const { project } = await loadFromText(`services:
  db: {image: postgres, expose: ["5432"]}
  api:
    image: x
    environment:
      URL: "postgres://{{db.host}}:{{ db.port:5432 }}/app"
    command: ["--ip", "{{ db.ip }}"]
    extra_hosts: ["database:{{ db.ip }}"]
    labels: {peer: "{{ db.host }}"}
`);
    expect(project.services.api!.addressReferences).toEqual([
      { service: 'db', kind: 'host', text: '{{db.host}}', path: ['environment', 'URL'] },
      { service: 'db', kind: 'port', port: 5432, text: '{{ db.port:5432 }}', path: ['environment', 'URL'] },
      { service: 'db', kind: 'ip', text: '{{ db.ip }}', path: ['command', 1] },
      { service: 'db', kind: 'ip', text: '{{ db.ip }}', path: ['extra_hosts', 0] },
      { service: 'db', kind: 'host', text: '{{ db.host }}', path: ['labels', 'peer'] },
    ]);
  });

  it('derives the project name: -p > COMPOSE_PROJECT_NAME > name: > directory', async () => {
    const text = 'name: fromfile\nservices:\n  a: {image: x}\n';
    expect((await loadFromText(text, { projectName: 'cli' })).project.name).toBe('cli');
    expect((await loadFromText(text, { environment: { COMPOSE_PROJECT_NAME: 'envname' } })).project.name).toBe('envname');
    expect((await loadFromText(text)).project.name).toBe('fromfile');
    const { project } = await load({ 'My.Dir/compose.yaml': 'services:\n  a: {image: x}\n' }, { files: ['My.Dir/compose.yaml'] });
    expect(project.name).toBe('mydir');
    expect(await errorsOf({ 'compose.yaml': text }, { projectName: 'Bad Name' })).toEqual([
      'invalid project name "Bad Name" (from -p): use lowercase letters, digits, "_" and "-", starting with a letter or digit',
    ]);
  });

  it('discovers the file and its override', async () => {
    const { project } = await load(
      {
        'sub/compose.yaml': 'services:\n  a: {image: x}\n',
        'sub/compose.override.yaml': 'services:\n  a: {image: y}\n',
        'sub/deeper/.keep': '',
      },
      { files: [], cwd: abs('sub/deeper') },
    );
    expect(project.services.a!.image).toBe('y');
    expect(project.configFiles).toEqual([abs('sub/compose.yaml'), abs('sub/compose.override.yaml')]);
  });

  it('reads .env, then lets the process environment win', async () => {
    const { project } = await load(
      { 'compose.yaml': 'services:\n  a: {image: "${IMG}:${TAG}"}\n', '.env': 'IMG=busybox\nTAG=1\n' },
      { environment: { TAG: '2' } },
    );
    expect(project.services.a!.image).toBe('busybox:2');
    expect(project.environment).toMatchObject({ IMG: 'busybox', TAG: '2' });
  });

  it('uses --env-file instead of .env', async () => {
    const { project } = await load(
      { 'compose.yaml': 'services:\n  a: {image: "${IMG}"}\n', '.env': 'IMG=dotenv\n', 'other.env': 'IMG=other\n' },
      { envFiles: ['other.env'] },
    );
    expect(project.services.a!.image).toBe('other');
  });

  it('--no-interpolate keeps ${VAR} text', async () => {
    const { project } = await loadFromText('services:\n  a: {image: "${IMG:?x}"}\n', { interpolate: false });
    expect(project.services.a!.image).toBe('${IMG:?x}');
  });
});

describe('loadProject: merge of repeated -f', () => {
  const base = `services:
  web:
    image: web:1
    command: [a, b]
    environment: {A: "1", B: "1"}
    ports: ["80:80", "443:443"]
    volumes: ["./a:/data", "logs:/logs"]
    labels: [x=1]
    dns: [1.1.1.1]
volumes:
  logs: {}
`;
  it('merges mappings, replaces command, appends and dedupes sequences', async () => {
    const { project } = await load(
      {
        'compose.yaml': base,
        'override.yaml': `services:
  web:
    image: web:2
    command: [c]
    environment: [B=2, C=3]
    ports: ["80:80", "8080:8080"]
    volumes: ["./b:/data"]
    labels: {y: "2"}
    dns: [8.8.8.8]
`,
      },
      { files: ['compose.yaml', 'override.yaml'] },
    );
    const web = project.services.web!;
    expect(web.image).toBe('web:2');
    expect(web.command).toEqual(['c']);
    expect(web.environment).toEqual({ A: '1', B: '2', C: '3' });
    expect(web.ports.map((p) => p.published)).toEqual(['80', '443', '8080']);
    expect(web.volumes.map((v) => `${v.source}:${v.target}`)).toEqual([`${abs('b')}:/data`, 'logs:/logs']);
    expect(web.labels).toEqual({ x: '1', y: '2' });
    expect(web.dns).toEqual(['1.1.1.1', '8.8.8.8']);
  });

  it('honours !reset and !override', async () => {
    const { project } = await load(
      {
        'compose.yaml': base,
        'override.yaml': `services:
  web:
    ports: !reset []
    environment: !override {Z: "9"}
    dns: !reset
`,
      },
      { files: ['compose.yaml', 'override.yaml'] },
    );
    const web = project.services.web!;
    expect(web.ports).toEqual([]);
    expect(web.environment).toEqual({ Z: '9' });
    expect(web.dns).toBeUndefined();
  });

  it('resolves paths of later files against the project directory', async () => {
    const { project } = await load(
      { 'compose.yaml': 'services:\n  a: {image: x}\n', 'other/override.yaml': 'services:\n  a:\n    volumes: ["./here:/x"]\n' },
      { files: ['compose.yaml', 'other/override.yaml'] },
    );
    expect(project.services.a!.volumes[0]!.source).toBe(abs('here'));
  });

  it('points errors at the file that set the value', async () => {
    const errors = await errorsOf(
      { 'compose.yaml': 'services:\n  a:\n    image: x\n', 'override.yaml': 'services:\n  a:\n    depends_on: [ghost]\n' },
      { files: ['compose.yaml', 'override.yaml'] },
    );
    expect(errors).toEqual(['override.yaml:3:18 services.a.depends_on.ghost: service "a" depends on undefined service "ghost"']);
  });
});

describe('loadProject: anchors, extends, include', () => {
  it('expands anchors and << merge keys', async () => {
    const { project } = await loadFromText(`x-common: &common
  image: base
  environment: {A: "1"}
services:
  a:
    <<: *common
    environment: {B: "2"}
  b: *common
`);
    expect(project.services.a!.image).toBe('base');
    expect(project.services.a!.environment).toEqual({ B: '2' });
    expect(project.services.b!.environment).toEqual({ A: '1' });
  });

  it('extends a service of the same file and of another file, with paths relative to that file', async () => {
    const { project } = await load({
      'compose.yaml': `services:
  base:
    image: base
    environment: {A: "1"}
    ports: ["80:80"]
  web:
    extends: base
    environment: {B: "2"}
    ports: !reset []
  remote:
    extends: {file: lib/common.yaml, service: tool}
    image: mine
`,
      'lib/common.yaml': `services:
  tool:
    image: tool
    volumes: ["./conf:/conf"]
    build: ./src
`,
    });
    expect(project.services.web!.image).toBe('base');
    expect(project.services.web!.environment).toEqual({ A: '1', B: '2' });
    expect(project.services.web!.ports).toEqual([]);
    expect(project.services.remote!.image).toBe('mine');
    expect(project.services.remote!.volumes[0]!.source).toBe(abs('lib/conf'));
    expect(project.services.remote!.build!.context).toBe(abs('lib/src'));
    expect(project.services.remote!.extends).toBeUndefined();
  });

  it('reports extends cycles and missing bases', async () => {
    expect(
      await errorsOf({
        'compose.yaml': 'services:\n  a:\n    extends: b\n  b:\n    extends: a\n  c:\n    extends: {service: nope}\n',
      }),
    ).toEqual([
      'compose.yaml:3:5 services.a.extends: extends cycle: a -> b -> a',
      'compose.yaml:7:5 services.c.extends: extends: service "nope" not found',
    ]);
  });

  it('includes other projects with their own directories', async () => {
    const { project } = await load({
      'compose.yaml': `include:
  - lib/db.yaml
services:
  web:
    image: web
    depends_on: [db]
`,
      'lib/db.yaml': `services:
  db:
    image: "postgres:\${PGTAG}"
    volumes: ["./init:/init"]
`,
      'lib/.env': 'PGTAG=16\n',
    });
    expect(project.services.db!.image).toBe('postgres:16');
    expect(project.services.db!.volumes[0]!.source).toBe(abs('lib/init'));
    expect(project.services.web!.depends_on.db).toBeDefined();
  });

  it('rejects an include that redefines a service', async () => {
    const errors = await errorsOf({
      'compose.yaml': 'include: [lib.yaml]\nservices:\n  db:\n    image: mine\n',
      'lib.yaml': 'services:\n  db:\n    image: theirs\n',
    });
    expect(errors).toEqual(['compose.yaml:3:3 services.db: services.db is defined here and in the included lib.yaml: rename one of them']);
  });
});

describe('loadProject: profiles and env_file', () => {
  const text = `services:
  web: {image: web}
  debug: {image: dbg, profiles: [debug]}
  tools: {image: t, profiles: [tools, debug]}
`;
  it('moves services of inactive profiles to disabledServices', async () => {
    const { project } = await loadFromText(text);
    expect(Object.keys(project.services)).toEqual(['web']);
    expect(Object.keys(project.disabledServices)).toEqual(['debug', 'tools']);
  });

  it('enables profiles from --profile and COMPOSE_PROFILES', async () => {
    expect(Object.keys((await loadFromText(text, { profiles: ['tools'] })).project.services)).toEqual(['tools', 'web']);
    expect(Object.keys((await loadFromText(text, { environment: { COMPOSE_PROFILES: 'debug' } })).project.services)).toEqual(['debug', 'tools', 'web']);
    expect(Object.keys((await loadFromText(text, { profiles: ['*'] })).project.services)).toEqual(['debug', 'tools', 'web']);
  });

  it('rejects a required dependency on an inactive service and drops an optional one', async () => {
    const errors = await errorsOf({ 'compose.yaml': `services:
  web: {image: w, depends_on: [db]}
  db: {image: d, profiles: [data]}
` });
    expect(errors[0]).toContain('compose.yaml:2:32 services.web.depends_on.db: service "web" depends on "db", which is only in profile(s) data');
    const { project, warnings } = await loadFromText(`services:
  web:
    image: w
    depends_on: {db: {condition: service_started, required: false}}
  db: {image: d, profiles: [data]}
`);
    expect(project.services.web!.depends_on).toEqual({});
    expect(warnings.map((w) => w.message)).toContain('optional dependency "db" of "web" is in an inactive profile (data); ignored');
  });

  it('reads env_file entries (environment wins), resolving paths against the project directory', async () => {
    const { project } = await load({
      'compose.yaml': `services:
  a:
    image: x
    env_file: [conf/a.env, {path: missing.env, required: false}]
    environment: {B: override}
`,
      'conf/a.env': 'A=1\nB=2\n',
    });
    expect(project.services.a!.environment).toEqual({ A: '1', B: 'override' });
    expect(project.services.a!.env_file).toBeUndefined();
  });

  it('resolves secrets, configs and build paths', async () => {
    const { project } = await loadFromText(`services:
  a:
    build: {context: app, dockerfile: Dockerfile.dev, args: [V=1]}
    secrets: [pw]
    configs: [{source: conf, target: /etc/conf}]
secrets:
  pw: {file: ./secrets/pw.txt}
configs:
  conf: {file: conf.ini}
`);
    expect(project.services.a!.build).toEqual({ context: abs('app'), dockerfile: 'Dockerfile.dev', args: { V: '1' } });
    expect(project.services.a!.secrets).toEqual([{ source: 'pw' }]);
    expect(project.secrets.pw).toEqual({ file: abs('secrets/pw.txt'), name: 'proj_pw' });
    expect(project.configs.conf).toEqual({ file: abs('conf.ini'), name: 'proj_conf' });
  });
});

describe('loadProject: daemon settings precedence', () => {
  const text = `x-mixcompose:
  daemons:
    windows: {host: "tcp://win:2376", address: 10.0.0.5, reach: published, tls: {ca: certs/ca.pem, verify: true}}
    linux: {context: desktop-linux}
services:
  a: {image: x}
`;
  it('takes the file when nothing stronger is set', async () => {
    const { extension } = (await loadFromText(text, { hostPlatform: 'linux' })).project;
    expect(extension.daemons.windows).toEqual({
      platform: 'windows',
      host: 'tcp://win:2376',
      address: '10.0.0.5',
      reach: 'published',
      tls: { ca: abs('certs/ca.pem'), verify: true },
      origin: 'file',
    });
    expect(extension.daemons.linux).toEqual({ platform: 'linux', context: 'desktop-linux', reach: 'auto', origin: 'file' });
  });

  it('lets env beat the file and the CLI beat env', async () => {
    const env = { MIXCOMPOSE_WINDOWS_HOST: 'tcp://env:2375', MIXCOMPOSE_LINUX_HOST: 'unix:///env.sock' };
    const byEnv = (await loadFromText(text, { environment: env })).project.extension.daemons;
    expect(byEnv.windows).toMatchObject({ host: 'tcp://env:2375', origin: 'env' });
    expect(byEnv.linux).toMatchObject({ host: 'unix:///env.sock', origin: 'env' });
    expect(byEnv.linux.context).toBeUndefined();
    const byCli = (await loadFromText(text, { environment: env, daemonOverrides: { windowsContext: 'winctx', linuxHost: 'unix:///cli.sock' } })).project.extension.daemons;
    expect(byCli.windows).toMatchObject({ context: 'winctx', origin: 'cli', address: '10.0.0.5' });
    expect(byCli.windows.host).toBeUndefined();
    expect(byCli.linux).toMatchObject({ host: 'unix:///cli.sock', origin: 'cli' });
  });

  it('defaults to the npipe endpoints on Windows and DOCKER_HOST or the socket elsewhere', async () => {
    const plain = 'services:\n  a: {image: x}\n';
    const win = (await loadFromText(plain, { hostPlatform: 'win32' })).project.extension.daemons;
    expect(win.windows).toMatchObject({ host: 'npipe:////./pipe/docker_engine_windows', origin: 'default' });
    expect(win.linux).toMatchObject({ host: 'npipe:////./pipe/docker_engine_linux', origin: 'default' });
    const lin = (await loadFromText(plain, { hostPlatform: 'linux' })).project.extension.daemons;
    expect(lin.linux.host).toBe('unix:///var/run/docker.sock');
    expect(lin.windows.host).toBe('unix:///var/run/docker.sock');
    const dh = (await loadFromText(plain, { hostPlatform: 'linux', environment: { DOCKER_HOST: 'tcp://d:2375' } })).project.extension.daemons;
    expect(dh.linux.host).toBe('tcp://d:2375');
  });

  it('rejects host and context at the same level', async () => {
    const errors = await errorsOf({ 'compose.yaml': 'x-mixcompose:\n  daemons:\n    linux: {host: "unix:///a", context: b}\nservices:\n  a: {image: x}\n' });
    expect(errors).toEqual(['compose.yaml:3:5 x-mixcompose.daemons.linux: daemon linux: `host` and `context` are both set; set one of them']);
  });
});

describe('loadProject: extends inherits dependencies (as docker compose v2 does)', () => {
  it('keeps the base depends_on and volumes_from; the error points at the lent file', async () => {
    const { project } = await load({
      'compose.yaml': `services:
  web:
    extends: {file: base.yaml, service: app}
    image: web
  db:
    image: db
`,
      'base.yaml': `services:
  app:
    image: app
    depends_on: [db]
    volumes_from: [db]
    environment: {A: "1"}
  db:
    image: db
`,
    });
    expect(Object.keys(project.services.web!.depends_on)).toEqual(['db']);
    expect(project.services.web!.volumes_from).toEqual(['db']);
    expect(project.services.web!.environment).toEqual({ A: '1' });
  });
});

describe('loadProject: warnings', () => {
  it('warns about the obsolete version key and unset variables, at their positions', async () => {
    const { warnings } = await loadFromText('version: "3.9"\nservices:\n  a:\n    image: "busybox:${TAG}"\n');
    expect(warnings.map((w) => `${w.position?.line}: ${w.message}`)).toEqual([
      '1: `version` is obsolete and ignored (the Compose Specification has no versions); remove it',
      '4: the TAG variable is not set; defaulting to a blank string',
    ]);
  });
});

describe('loadProject: resources and checks', () => {
  it('names networks, volumes, secrets and configs like compose', async () => {
    const { project } = await loadFromText(`services:
  a:
    image: x
    networks: [front, ext]
    volumes: [data:/d, shared:/s]
    secrets: [s1, s2]
networks:
  front: {name: custom-front}
  ext: {external: true}
volumes:
  data:
  shared: {external: {name: legacy-shared}}
secrets:
  s1: {environment: TOKEN}
  s2: {external: true}
`);
    expect(project.networks).toEqual({ ext: { name: 'ext', external: true }, front: { name: 'custom-front' } });
    expect(project.volumes).toEqual({ data: { name: 'proj_data' }, shared: { name: 'legacy-shared', external: true } });
    expect(project.secrets).toEqual({ s1: { environment: 'TOKEN', name: 'proj_s1' }, s2: { external: true, name: 's2' } });
  });

  it('accepts a port reference inside an exposed range or a published target', async () => {
    const { project } = await loadFromText(`services:
  db: {image: x, expose: ["9000-9010/tcp"], ports: ["5433:5432"]}
  api:
    image: x
    environment: {A: "{{ db.port:9005 }}", B: "{{ db.port:5432 }}"}
`);
    expect(project.services.api!.addressReferences.map((r) => r.port)).toEqual([9005, 5432]);
  });

  it('refuses a bind mount of a file for a windows service only', async () => {
    const files = {
      'compose.yaml': `services:
  win: {image: x, platform: windows, volumes: ["./app.conf:C:/app/app.conf", "./dir:C:/dir"]}
  lin: {image: x, volumes: ["./app.conf:/app.conf"]}
`,
      'app.conf': 'x=1\n',
      'dir/file': '',
    };
    expect(await errorsOf(files)).toEqual([
      `compose.yaml:2:48 services.win.volumes[0]: bind-mounting a single file (${abs('app.conf')}) is not supported by Windows containers; mount its directory (service "win" runs on the windows daemon)`,
    ]);
  });

  it('lets a Linux service share namespaces with a Linux service', async () => {
    const { project } = await loadFromText(`services:
  net: {image: x}
  app: {image: x, network_mode: "service:net", ipc: "service:net", volumes_from: [net]}
`);
    expect(project.services.app!.networks).toEqual({});
    expect(Object.keys(project.services.app!.depends_on)).toEqual(['net']);
    expect(project.networks).toEqual({ default: { name: 'proj_default' } });
  });
});

describe('loadProject: YAML scalars as docker compose reads them', () => {
  it('reads a plain 0440 as octal, like go-yaml, and a quoted "0440" too (a mode as text is octal)', async () => {
    const { project } = await loadFromText(`services:
  a:
    image: x
    secrets: [{source: s, mode: 0440}, {source: s, target: t2, mode: 288}, {source: s, target: t3, mode: "0440"}]
secrets:
  s: {file: ./s.txt}
`);
    expect(project.services.a!.secrets.map((r) => r.mode)).toEqual([0o440, 288, 0o440]);
  });
});

describe('loadProject: ${COMPOSE_PROJECT_NAME} in interpolation (as docker compose v2 sets it)', () => {
  const text = 'services:\n  a: {image: x, container_name: "${COMPOSE_PROJECT_NAME}-a", labels: {p: "${COMPOSE_PROJECT_NAME:-unset}"}}\n';
  it('is -p, else the environment, else the name of the last file that has one, else the directory', async () => {
    const nameOf = async (options: Parameters<typeof loadFromText>[1], body = text) => (await loadFromText(body, options)).project.services.a!.container_name;
    expect(await nameOf({ projectName: 'fromflag', environment: { COMPOSE_PROJECT_NAME: 'fromenv' } })).toBe('fromflag-a');
    expect(await nameOf({ environment: { COMPOSE_PROJECT_NAME: 'fromenv' } })).toBe('fromenv-a');
    expect(await nameOf({ environment: { N: 'shop' } }, `name: "\${N}"\n${text}`)).toBe('shop-a');
    expect(await nameOf({})).toBe('proj-a');
    const { project } = await load({ 'compose.yaml': `name: first\n${text}`, 'override.yaml': 'name: second\n' }, { files: ['compose.yaml', 'override.yaml'] });
    expect(project.services.a!.container_name).toBe('second-a');
    expect(project.services.a!.labels).toEqual({ p: 'second' });
  });
});
