/**
 * Normalization and `!reset`/`!override` as compose-go's loader/normalize_test.go and
 * loader/reset_test.go expect, restated with our own files. Deliberate differences are listed in
 * docs/compose-file.md.
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorsOf, load, loadFromText, DIR } from './helpers.js';

const started = (restart: boolean) => ({ condition: 'service_started', required: true, restart });

describe('normalize (compose-go normalize tests)', () => {
  it('names networks: default added, external keeps its key, name: kept, others <project>_<key>', async () => {
    const { project } = await loadFromText(
      'name: shop\nservices:\n  api:\n    build:\n      context: ./src\n      args: {ONE: null, TWO: null}\nnetworks:\n  outside: {external: true}\n  fixed: {name: TheName}\n  inner: {}\n',
      { environment: { ONE: 'uno' } },
    );
    expect(Object.fromEntries(Object.entries(project.networks).map(([k, n]) => [k, n.name]))).toEqual({
      default: 'shop_default',
      outside: 'outside',
      fixed: 'TheName',
      inner: 'shop_inner',
    });
    expect(project.networks.outside!.external).toBe(true);
    expect(project.services.api!.networks).toEqual({ default: null });
    expect(project.services.api!.build).toMatchObject({ context: path.join(DIR, 'src'), dockerfile: 'Dockerfile', args: { ONE: 'uno' } });
    expect(project.services.api!.build!.args).not.toHaveProperty('TWO');
  });

  it('names volumes: external keeps its key, name: kept, others <project>_<key>', async () => {
    const { project } = await loadFromText('name: shop\nservices: {}\nvolumes:\n  outside: {external: true}\n  plain: {}\n  fixed: {name: TheName}\n');
    expect(Object.fromEntries(Object.entries(project.volumes).map(([k, v]) => [k, v.name]))).toEqual({ outside: 'outside', plain: 'shop_plain', fixed: 'TheName' });
  });

  it('adds implied depends_on for network_mode and volumes_from (not container:), keeping explicit ones', async () => {
    const { project } = await loadFromText(
      'name: shop\nservices:\n  front:\n    image: x\n    depends_on:\n      mid: {condition: service_healthy, required: true, restart: true}\n    network_mode: service:back\n  mid:\n    image: x\n    healthcheck: {test: [CMD, "true"]}\n    volumes_from: [back, "container:other"]\n  back:\n    image: x\n',
    );
    expect(project.services.front!.depends_on).toEqual({ mid: { condition: 'service_healthy', required: true, restart: true }, back: started(true) });
    expect(project.services.mid!.depends_on).toEqual({ back: started(false) });
    expect(project.services.back!.depends_on).toEqual({});
    expect(project.services.front!.networks).toEqual({});
    expect(project.services.back!.networks).toEqual({ default: null });
  });

  it('adds implied depends_on for ipc, cgroup-less pid, volumes_from and links; explicit wins', async () => {
    const { project } = await loadFromText(
      'name: shop\nservices:\n  main:\n    image: x\n    ipc: service:a\n    pid: service:b\n    volumes_from: [c]\n    links: [d]\n    depends_on:\n      a: {condition: service_healthy}\n  a: {image: x, healthcheck: {test: [CMD, "true"]}}\n  b: {image: x}\n  c: {image: x}\n  d: {image: x}\n',
    );
    expect(project.services.main!.depends_on).toEqual({
      a: { condition: 'service_healthy', required: true, restart: false },
      b: started(true),
      c: started(false),
      d: started(true),
    });
  });

  it('an empty build gets context . and dockerfile Dockerfile', async () => {
    const { project } = await loadFromText('name: shop\nservices:\n  api:\n    build: {}\n');
    expect(project.services.api!.build).toMatchObject({ context: DIR, dockerfile: 'Dockerfile' });
  });

  it('a service without networks is on default; with only its own network, no default network is made', async () => {
    const one = await loadFromText('name: shop\nservices:\n  api: {image: x}\n');
    expect(one.project.networks.default!.name).toBe('shop_default');
    const two = await loadFromText('name: shop\nservices:\n  api:\n    image: x\n    networks: {mine: null}\nnetworks:\n  mine: null\n');
    expect(Object.keys(two.project.networks)).toEqual(['mine']);
    expect(two.project.networks.mine!.name).toBe('shop_mine');
    expect(two.project.services.api!.networks).toEqual({ mine: null });
  });

  it('environment: KEY takes the value from the environment; KEY=v stays; an unset KEY gets no value', async () => {
    const { project } = await loadFromText('name: shop\nservices:\n  api:\n    image: x\n    environment: [MISSING, HAVE, SET=mine]\n', {
      environment: { HAVE: 'have', SET: 'theirs' },
    });
    const env = project.services.api!.environment;
    expect(env.HAVE).toBe('have');
    expect(env.SET).toBe('mine');
    expect(env.MISSING ?? null).toBeNull();
  });

  it('pre_start hooks load (mixcompose does not model hooks, so compose-go\'s image inheritance for them does not apply)', async () => {
    const { project } = await loadFromText('name: shop\nservices:\n  api:\n    image: alpine\n    pre_start:\n      - command: [migrate]\n      - image: busybox\n        command: [chown, "1000", /data]\n');
    expect(project.services.api).toBeDefined();
  });
});

describe('!reset and !override (compose-go reset tests)', () => {
  const base = 'name: shop\nservices:\n  one:\n    image: x\n    ports: ["8001:80"]\n  two:\n    image: y\n    ports: ["8002:80"]\nnetworks:\n  net:\n    name: outer\n    external: true\n  net2:\n    name: outer2\n    external: true\n';
  const both = (override: string) => load({ 'compose.yaml': base, 'compose.override.yaml': override }, { files: ['compose.yaml', 'compose.override.yaml'] });

  it('!reset removes a network', async () => {
    const { project } = await both('networks:\n  net: !reset {}\n');
    expect(project.networks).not.toHaveProperty('net');
  });
  it('!override replaces a network: it is no longer external', async () => {
    const { project } = await both('networks:\n  net: !override {}\n');
    expect(project.networks.net!.external ?? false).toBe(false);
  });
  it('!reset in an anchor merged (<<) into two services resets both', async () => {
    const { project } = await both('x-clear: &clear\n  ports: !reset []\nservices:\n  one:\n    <<: *clear\n  two:\n    <<: *clear\n');
    expect([project.services.one!.ports, project.services.two!.ports]).toEqual([[], []]);
  });
  it('!override in an anchor used for two networks overrides both', async () => {
    const { project } = await both('x-plain: &plain !override {}\nnetworks:\n  net: *plain\n  net2: *plain\n');
    expect([project.networks.net!.external ?? false, project.networks.net2!.external ?? false]).toEqual([false, false]);
  });
  it('!reset through two levels of merged anchors', async () => {
    const { project } = await both('x-in: &in\n  ports: !reset []\nx-out: &out\n  <<: *in\nservices:\n  one:\n    <<: *out\n');
    expect(project.services.one!.ports).toEqual([]);
  });
  it('!reset anchor used directly as a value', async () => {
    const { project } = await both('x-none: &none !reset []\nservices:\n  one:\n    ports: *none\n  two:\n    ports: *none\n');
    expect([project.services.one!.ports, project.services.two!.ports]).toEqual([[], []]);
  });
});

describe('aliases (compose-go reset tests: cycles, bombs, merge keys)', () => {
  it.each([
    ['an aliased service', 'services:\n  a: &a\n    image: alpine\n  a2: *a\n'],
    ['the alias before its use', 'services:\n  b2: &b\n    image: alpine\n  b: *b\n'],
    ['nested merges of extension fields', 'x-t:\n  x-g: &g\n    environment: &genv\n      a: b\n  x-gp: &gp\n    <<: *g\n  x-gep: &gep\n    <<: *genv\n  v0:\n    <<: *gp\n    environment:\n      <<: *gep\nservices: {}\n'],
    ['a common block merged into three services', 'x-common: &common\n  restart: unless-stopped\nservices:\n  s1:\n    <<: *common\n    image: alpine\n  s2:\n    <<: *common\n    image: alpine\n  s3:\n    <<: *common\n    image: alpine\n'],
    ['dotted service names sharing an anchor', 'services:\n  t.unit: &s\n    image: alpine\n  t: *s\n  t.other: *s\n'],
    ['<< of a mapping alias', 'x-base: &base\n  image: nginx\n  restart: unless-stopped\nservices:\n  s1:\n    <<: *base\n'],
    ['<< of an alias to a sequence of mappings', 'x-list: &l\n  - image: nginx\nservices:\n  s1:\n    <<: *l\n'],
    ['<< of a sequence alias shared by two services', 'x-list: &l\n  - image: nginx\n    restart: unless-stopped\nservices:\n  s1:\n    <<: *l\n  s2:\n    <<: *l\n'],
    ['<< of an inline sequence of mappings', 'x-base: &base\n  image: nginx\nservices:\n  s1:\n    <<: [*base, {restart: unless-stopped}]\n'],
  ])('loads: %s', async (_name, text) => {
    await expect(loadFromText(`name: shop\n${text}`)).resolves.toBeDefined();
  });

  it('a self-referencing alias is an error', async () => {
    const errors = await errorsOf({ 'compose.yaml': 'name: shop\nx-h: &h\n  inner:\n    <<: *h\nservices: {}\n' });
    expect(errors.length).toBeGreaterThan(0);
  });

  it('<< of a scalar alias is an error', async () => {
    const errors = await errorsOf({ 'compose.yaml': 'name: shop\nx-s: &s "text"\nservices:\n  s1:\n    <<: *s\n' });
    expect(errors.join('\n')).toMatch(/compose\.yaml:\d+:\d+/);
  });

  const bomb = (branching: number, levels: number): string => {
    const names = 'abcdefghijklmnop'.split('');
    const lines = ['name: shop', `x-a: &a {k: v}`];
    for (let i = 1; i < levels; i++) lines.push(`x-${names[i]}: &${names[i]} [${Array(branching).fill(`*${names[i - 1]}`).join(', ')}]`);
    return `${lines.join('\n')}\nservices:\n  svc: {image: alpine}\n`;
  };
  it.each([
    [9, 9],
    [9, 8],
  ])('an alias bomb (%i aliases × %i levels) is refused', async (b, n) => {
    const errors = await errorsOf({ 'compose.yaml': bomb(b, n) });
    expect(errors.join('\n')).toMatch(/alias/i);
  });
  it('a small branching alias tree (3 × 11) loads or is refused, either way at once', async () => {
    await loadFromText(bomb(3, 11)).then(
      () => undefined,
      (error: unknown) => expect(String(error)).toMatch(/alias/i),
    );
  });
  it('a large legitimate file (400 services × 122 variables) loads', async () => {
    let text = 'name: shop\nservices:\n';
    for (let s = 0; s < 400; s++) {
      text += `  svc${s}:\n    image: alpine\n    environment:\n`;
      for (let e = 0; e < 122; e++) text += `      KEY_${e}: val\n`;
    }
    const { project } = await loadFromText(text);
    expect(Object.keys(project.services)).toHaveLength(400);
  }, 60_000);
});
