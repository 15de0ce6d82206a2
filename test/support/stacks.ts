/**
 * Compose files for integration tests, built instead of written out inline: most tests use the same
 * small busybox services on the rig's two daemons (a linux `db`, a windows-declared `web`) and differ
 * only in a command, a dependency, a healthcheck or one more service. The builders here write that
 * common part once; a test passes what is particular to it, so what it asserts on stays visible in
 * the test itself.
 *
 * The YAML they print is plain compose: `services:` with two-space indented services, one key a line.
 */
import { BUSYBOX_IMAGE, type RigDaemon } from './rig.js';

/** `["sleep", "3600"]`: the command of a service that only has to keep running. */
export const SLEEP = ['sleep', '3600'] as const;

/** One service of a compose file. Every field has the common value when left out. */
export interface ServiceSpec {
  /** `platform:` (the rig daemon it runs on); null: no platform line. */
  readonly platform?: RigDaemon | null;
  /** Default: the rig's busybox (`mixcompose-test/busybox:latest`). */
  readonly image?: string;
  /** `init: true` unless false. */
  readonly init?: boolean;
  /** An exec-form command (written as a JSON flow list), or `sh -c <script>` given as a string; null: the image's. Default: sleep 3600. */
  readonly command?: readonly string[] | string | null;
  /** `depends_on: [..]` (short form); for conditions use `lines` with `dependsOnHealthy`. */
  readonly dependsOn?: readonly string[];
  /** Further keys of the service, one YAML line each, indented relative to the service's keys. */
  readonly lines?: readonly string[];
}

/** The YAML of one service (`  <name>:` and its keys), ending in a newline. */
export function serviceYaml(name: string, spec: ServiceSpec = {}): string {
  const command = spec.command === undefined ? SLEEP : spec.command;
  const argv = typeof command === 'string' ? ['sh', '-c', command] : command;
  const keys = [
    ...(spec.platform === null ? [] : [`platform: ${spec.platform ?? 'linux'}`]),
    `image: ${spec.image ?? BUSYBOX_IMAGE}`,
    ...(spec.init === false ? [] : ['init: true']),
    ...(spec.lines ?? []),
    ...(spec.dependsOn ? [`depends_on: [${spec.dependsOn.join(', ')}]`] : []),
    ...(argv ? [`command: ${JSON.stringify(argv).replace(/","/g, '", "')}`] : []),
  ];
  return [`  ${name}:`, ...keys.map((line) => `    ${line}`)].join('\n') + '\n';
}

/** How the daemons reach each other's containers (`x-mixcompose.daemons.<d>.reach`). */
export type Reach = 'ip' | 'published-loopback';

export interface ComposeSpec {
  /** The top-level `name:` (the project name); left out, the CLI's -p or the directory names it. */
  readonly name?: string;
  /** Both daemons' `reach` (left out: no x-mixcompose block). */
  readonly reach?: Reach;
  /** Services in file order. */
  readonly services: Readonly<Record<string, ServiceSpec>>;
  /** Top-level YAML after `services` (volumes, networks, secrets…), as written. */
  readonly tail?: string;
}

const REACH_LINES: Record<Reach, string> = {
  ip: '{ reach: ip }',
  'published-loopback': '{ reach: published, address: "127.0.0.1" }',
};

/** A whole compose file. */
export function composeYaml(spec: ComposeSpec): string {
  const head = [
    ...(spec.name ? [`name: ${spec.name}`] : []),
    ...(spec.reach ? ['x-mixcompose:', '  daemons:', `    linux: ${REACH_LINES[spec.reach]}`, `    windows: ${REACH_LINES[spec.reach]}`] : []),
    'services:',
  ].join('\n');
  const services = Object.entries(spec.services)
    .map(([name, service]) => serviceYaml(name, service))
    .join('');
  return `\n${head}\n${services}${spec.tail ?? ''}`;
}

export interface DbWebSpec extends Omit<ComposeSpec, 'services'> {
  /** What `db` (linux) has besides the common busybox keys. */
  readonly db?: ServiceSpec;
  /** What `web` (windows) has besides the common busybox keys. */
  readonly web?: ServiceSpec;
  /** More services after db and web. */
  readonly services?: Readonly<Record<string, ServiceSpec>>;
}

/**
 * The stack most integration tests use: `db` on the linux daemon and `web` declared windows (the
 * rig's windows stand-in), both busybox with init, sleeping unless given a command; then `services`.
 */
export function dbWebYaml(spec: DbWebSpec = {}): string {
  return composeYaml({
    ...spec,
    services: { db: { platform: 'linux', ...spec.db }, web: { platform: 'windows', ...spec.web }, ...spec.services },
  });
}

/** `healthcheck:` lines: healthy once `file` exists in the container. */
export function healthyOnceFileExists(file: string, { interval, retries }: { interval: string; retries: number }): string[] {
  return ['healthcheck:', `  test: ["CMD", "test", "-f", "${file}"]`, `  interval: ${interval}`, `  retries: ${retries}`];
}

/** `depends_on:` lines: waits for `service` to be healthy. */
export function dependsOnHealthy(service: string): string[] {
  return ['depends_on:', `  ${service}: { condition: service_healthy }`];
}

/**
 * A `db` that serves `text` at http://db:8080/index.html (busybox httpd), healthy once it answers;
 * for stacks that check names and addresses across the daemons.
 */
export function httpDb(text: string): ServiceSpec {
  return {
    platform: 'linux',
    lines: [
      'expose: ["8080"]',
      'healthcheck:',
      '  test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/index.html"]',
      '  interval: 500ms',
      '  retries: 40',
    ],
    command: `echo ${text} > /tmp/index.html && exec httpd -f -p 8080 -h /tmp`,
  };
}
