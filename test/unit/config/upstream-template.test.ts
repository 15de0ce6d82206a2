/**
 * Interpolation as compose-go's template and interpolation packages expect it (their tests,
 * restated with our own inputs), and the casts compose makes after interpolation.
 */
import { describe, expect, it } from 'vitest';
import { interpolateString } from '../../../src/config/interpolate.js';
import { loadFromText, issuesOf } from './helpers.js';

const env: Record<string, string> = { FOO: 'first', BAR: '', JSON: '{"json":2}' };
const sub = (s: string, e: Record<string, string> = env) => interpolateString(s, (n) => e[n]);

describe('template: substitution (compose-go template tests)', () => {
  const cases: [string, string][] = [
    ['$${foo}', '${foo}'],
    ['foo', 'foo'],
    ['a $ string', 'a $ string'],
    ['^REGEX$', '^REGEX$'],
    ['$}', '$}'],
    ['$', '$'],
    ['$FOO-bar', 'first-bar'],
    ['This ${missing} var', 'This  var'],
    ['This ${BAR} var', 'This  var'],
    ['This $FOO var', 'This first var'],
    ['This ${FOO} var', 'This first var'],
    ['ok ${missing:-def}', 'ok def'],
    ['ok ${missing-def}', 'ok def'],
    ['${A:+${A},}B', 'B'],
    ['${A:-${B}}', ''],
    ['ok ${BAR:-def}', 'ok def'],
    ['ok ${FOO:-def}', 'ok first'],
    ['ok ${BAR-def}', 'ok '],
    ['ok ${UNSET_VAR:+presence_value}', 'ok '],
    ['ok ${UNSET_VAR+presence_value}', 'ok '],
    ['ok ${FOO:+presence_value}', 'ok presence_value'],
    ['ok ${FOO+presence_value}', 'ok presence_value'],
    ['ok ${BAR+presence_value}', 'ok presence_value'],
    ['ok ${BAR:+presence_value}', 'ok '],
    ['ok ${BAR:-/non:-alphanumeric}', 'ok /non:-alphanumeric'],
    ['-ok ${BAR:-defaultValue}', '-ok defaultValue'],
    ['+ok ${UNSET:-${BAR-defaultValue}}', '+ok '],
    ['-ok ${FOO:-defaultValue}', '-ok first'],
    [':-ok ${UNSET-defaultValue}', ':-ok defaultValue'],
    [':-ok ${BAR-defaultValue}', ':-ok '],
    [':?ok ${BAR-defaultValue}', ':?ok '],
    [':?ok ${BAR:-defaultValue}', ':?ok defaultValue'],
    [':+ok ${BAR:-defaultValue}', ':+ok defaultValue'],
    ['+ok ${BAR-defaultValue}', '+ok '],
    ['?ok ${BAR:-defaultValue}', '?ok defaultValue'],
    ['ok ${UNSET_VAR-$FOO}', 'ok first'],
    ['ok ${UNSET_VAR-${FOO}}', 'ok first'],
    ['ok ${UNSET_VAR-${FOO} ${FOO}}', 'ok first first'],
    ['ok ${BAR:-$FOO}', 'ok first'],
    ['ok ${BAR:-${FOO}}', 'ok first'],
    ['ok ${BAR:-${FOO} ${FOO}}', 'ok first first'],
    ['ok ${BAR+$FOO}', 'ok first'],
    ['ok ${BAR+$FOO ${FOO:+second}}', 'ok first second'],
    ['ok ${FOO:?err}', 'ok first'],
    ['ok ${FOO?err}', 'ok first'],
    ['ok ${BAR?err}', 'ok '],
    ['ok ${SUBDOMAIN:-redis}.${FOO:?}', 'ok redis.first'],
    ['${UNSET_VAR-myerror?msg}', 'myerror?msg'],
    ['${FOO?bar-baz}', 'first'],
    ['${BAR:-default_value_for_empty_var}', 'default_value_for_empty_var'],
    ['${UNSET_VAR-default_value_for_unset_var}', 'default_value_for_unset_var'],
    ['ok ${missing:-{"json":1}}', 'ok {"json":1}'],
    ['ok ${missing-{"json":1}}', 'ok {"json":1}'],
    ['ok ${JSON:-{"json":1}}', 'ok {"json":2}'],
    ['ok ${JSON-{"json":1}}', 'ok {"json":2}'],
  ];
  it.each(cases)('%s → %j', (template, expected) => {
    expect(sub(template)).toBe(expected);
  });

  const invalid = ['${', '${}', '${ }', '${ foo}', '${foo }', '${foo!}'];
  it.each(invalid)('rejects %j', (template) => {
    expect(() => sub(template)).toThrow('invalid interpolation format');
  });

  const required: [string, string][] = [
    ['not ok ${UNSET_VAR:?Mandatory Variable Unset}', 'required variable UNSET_VAR is missing a value: Mandatory Variable Unset'],
    ['not ok ${BAR:?Mandatory Variable Empty}', 'required variable BAR is missing a value: Mandatory Variable Empty'],
    ['not ok ${UNSET_VAR:?}', 'required variable UNSET_VAR is missing a value'],
    ['not ok ${UNSET_VAR?Mandatory Variable Unset}', 'required variable UNSET_VAR is missing a value: Mandatory Variable Unset'],
    ['not ok ${UNSET_VAR?}', 'required variable UNSET_VAR is missing a value'],
    ['not ok ${UNSET_VAR:?Mandatory Variable ${FOO}}', 'required variable UNSET_VAR is missing a value: Mandatory Variable first'],
    ['not ok ${UNSET_VAR?Mandatory Variable ${FOO}}', 'required variable UNSET_VAR is missing a value: Mandatory Variable first'],
    ['${UNSET_VAR?bar-baz}', 'required variable UNSET_VAR is missing a value: bar-baz'],
  ];
  it.each(required)('%s fails', (template, message) => {
    expect(() => sub(template)).toThrow(message);
  });

  it('does not evaluate (or warn about) a word that is not used', () => {
    const unset: string[] = [];
    expect(interpolateString('${A:+${A},}B', (n) => env[n], (n) => unset.push(n))).toBe('B');
    expect(interpolateString('${FOO?${B}}', (n) => env[n], (n) => unset.push(n))).toBe('first');
    expect(unset).toEqual([]);
    expect(interpolateString('${A:-${B}}', (n) => env[n], (n) => unset.push(n))).toBe('');
    expect(unset).toEqual(['B']);
  });
});

describe('interpolation of a file: casts after interpolation (compose-go loader/interpolate)', () => {
  it('turns interpolated numbers and booleans into numbers and booleans where compose casts', async () => {
    const { project } = await loadFromText(
      `services:
  web:
    image: nginx
    init: \${INIT}
    privileged: "\${NO}"
    oom_score_adj: \${ADJ}
    cpu_count: \${N}
    scale: \${N}
    healthcheck: {test: [CMD, "true"], retries: "\${N}"}
    deploy:
      replicas: \${N}
      update_config: {parallelism: "\${N}", max_failure_ratio: "\${RATIO}"}
      rollback_config: {parallelism: "\${N}"}
      restart_policy: {max_attempts: "\${N}"}
      placement: {max_replicas_per_node: "\${N}"}
    ulimits: {nproc: "\${N}", nofile: {soft: "\${N}", hard: "\${N}"}}
    ports: [{target: "\${PORT}"}]
    volumes: [{type: volume, source: data, target: /data, read_only: "\${YES}", volume: {nocopy: "\${YES}"}}]
volumes:
  data: {external: "\${YES}"}
`,
      { environment: { INIT: 'true', NO: 'no', ADJ: '-500', N: '3', RATIO: '0.5', PORT: '80', YES: 'yes' } },
    );
    const web = project.services.web!;
    expect(web.init).toBe(true);
    expect(web.privileged).toBe(false);
    expect(web.oom_score_adj).toBe(-500);
    expect(web.cpu_count).toBe(3);
    expect(web.scale).toBe(3);
    expect(web.healthcheck?.retries).toBe(3);
    expect(web.deploy).toEqual({
      replicas: 3,
      update_config: { parallelism: 3, max_failure_ratio: 0.5 },
      rollback_config: { parallelism: 3 },
      restart_policy: { max_attempts: 3 },
      placement: { max_replicas_per_node: 3 },
    });
    expect(web.ulimits).toEqual({ nproc: 3, nofile: { soft: 3, hard: 3 } });
    expect(web.ports[0]!.target).toBe(80);
    expect(web.volumes[0]).toMatchObject({ read_only: true, volume: { nocopy: true } });
    expect(project.volumes.data!.external).toBe(true);
  });

  it('accepts `init: yes` with a warning (compose reads it as true)', async () => {
    const { project, warnings } = await loadFromText('services:\n  web:\n    image: nginx\n    init: yes\n');
    expect(project.services.web!.init).toBe(true);
    expect(warnings.map((w) => w.message)).toContain('"yes" for a boolean is not YAML 1.2; write true');
  });

  it('reports deploy numbers that are not numbers at their key', async () => {
    expect(await issuesOf('services:\n  web:\n    image: nginx\n    deploy:\n      update_config: {parallelism: "${N}"}\n', { environment: { N: 'many' } })).toEqual([
      'compose.yaml:5:23 services.web.deploy.update_config.parallelism: expected an integer, got "many"',
    ]);
  });

  it('reads a secret or config mode written as text as octal', async () => {
    const { project } = await loadFromText(
      `services:
  web:
    image: nginx
    secrets: [{source: s, mode: "0440"}, {source: t, mode: "\${MODE}"}, {source: u, mode: 0440}, {source: v, mode: 0o440}]
    configs: [{source: c, mode: "640"}]
secrets: {s: {file: ./s}, t: {file: ./t}, u: {file: ./u}, v: {file: ./v}}
configs: {c: {file: ./c}}
`,
      { environment: { MODE: '0400' } },
    );
    expect(project.services.web!.secrets.map((s) => s.mode)).toEqual([0o440, 0o400, 0o440, 0o440]);
    expect(project.services.web!.configs[0]!.mode).toBe(0o640);
  });

  it('drops an empty dns entry (`dns: ${UNSET}`)', async () => {
    const { project } = await loadFromText('services:\n  web:\n    image: nginx\n    dns: ${UNSET_VAR}\n  two:\n    image: nginx\n    dns: [8.8.8.8, "${UNSET_VAR}"]\n');
    expect(project.services.web!.dns).toBeUndefined();
    expect(project.services.two!.dns).toEqual(['8.8.8.8']);
  });
});
