/**
 * In-memory builders for planner tests: a Project and an ObservedState without files or daemons.
 */
import type { AddressReference, DaemonSettings, PlatformOs, Project, Service } from '../../../src/model/project.js';
import type { DaemonFacts, ObservedContainer, ObservedState } from '../../../src/plan/observed-state.js';
import { materializeSpec } from '../../../src/plan/materialize.js';
import type { Plan } from '../../../src/plan/plan.js';
import { reconcile } from '../../../src/plan/reconcile.js';

/** A service as tests write it: any field, the platform as just its OS. */
export type ServiceInput = Partial<Omit<Service, 'platform'>> & { platform?: PlatformOs };

/** Finds `{{ s.host|port:N|ip }}` in environment values, the way the loader records them. */
function references(environment: Readonly<Record<string, string | null>>, command?: readonly string[] | null): AddressReference[] {
  const out: AddressReference[] = [];
  const scan = (text: string, path: (string | number)[]) => {
    for (const m of text.matchAll(/\{\{\s*([a-zA-Z0-9_.-]+)\.(host|ip|port:(\d+))\s*\}\}/g)) {
      const kind = m[2]!.startsWith('port') ? 'port' : (m[2] as 'host' | 'ip');
      out.push({ service: m[1]!, kind, ...(m[3] ? { port: Number(m[3]) } : {}), text: m[0], path });
    }
  };
  for (const [k, v] of Object.entries(environment)) if (v) scan(v, ['environment', k]);
  (command ?? []).forEach((c, i) => scan(c, ['command', i]));
  return out;
}

export function service(name: string, input: ServiceInput = {}): Service {
  const os = input.platform ?? 'linux';
  const environment = (input.environment ?? {}) as Readonly<Record<string, string | null>>;
  return {
    image: 'mixcompose-test/busybox:latest',
    environment,
    ports: [],
    expose: [],
    volumes: [],
    depends_on: {},
    networks: { default: null },
    labels: {},
    extra_hosts: [],
    secrets: [],
    configs: [],
    extension: {},
    ...input,
    name,
    platform: { os, raw: os },
    addressReferences: input.addressReferences ?? references(environment, input.command as readonly string[] | null | undefined),
  } as unknown as Service;
}

function daemon(platform: PlatformOs, extra: Partial<DaemonSettings> = {}): DaemonSettings {
  return { platform, host: `unix:///run/${platform}.sock`, reach: 'ip', origin: 'default', ...extra };
}

export function project(services: Service[], extra: Partial<Project> = {}, daemons: Partial<Record<PlatformOs, Partial<DaemonSettings>>> = {}): Project {
  return {
    name: 'shop',
    workingDir: '/src/shop',
    configFiles: ['/src/shop/compose.yaml'],
    services: Object.fromEntries(services.map((s) => [s.name, s])),
    disabledServices: {},
    networks: { default: { name: 'shop_default' } },
    volumes: {},
    secrets: {},
    configs: {},
    environment: {},
    profiles: [],
    ...extra,
    extension: {
      default_platform: 'linux',
      daemons: { linux: daemon('linux', daemons.linux), windows: daemon('windows', daemons.windows) },
      ...(extra.extension ?? {}),
    },
  };
}

export function facts(platform: PlatformOs, extra: Partial<DaemonFacts> = {}): DaemonFacts {
  return {
    platform,
    label: `${platform} (unix:///run/${platform}.sock)`,
    osType: 'linux',
    lcow: false,
    networkDrivers: ['bridge', 'host', 'null'],
    ...extra,
  };
}

export function observed(extra: Partial<ObservedState> = {}): ObservedState {
  return {
    daemons: { linux: facts('linux'), windows: facts('windows') },
    containers: [],
    networks: [],
    volumes: [],
    images: [],
    ...extra,
  };
}

export function container(input: Partial<ObservedContainer> & { service: string; platform: PlatformOs }): ObservedContainer {
  const number = input.number ?? 1;
  return {
    id: `${input.service}${number}`.padEnd(64, '0'),
    name: `shop-${input.service}-${number}`,
    number,
    oneoff: false,
    status: 'running',
    image: 'mixcompose-test/busybox:latest',
    labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': input.service, 'io.mixcompose.platform': input.platform },
    ips: {},
    ports: [],
    ...input,
  };
}

/**
 * The containers the daemons would hold once `plan` ran: one running container per create, with
 * the config hash its materialized spec gets and the address `addressOf(start op id)` gives it.
 */
export function containersAfter(plan: Plan, addressOf: (startId: string, daemon: PlatformOs) => string): ObservedContainer[] {
  const starts = new Map(plan.operations.filter((op) => op.kind === 'start-container').map((op) => [op.id, addressOf(op.id, op.daemon)]));
  const out: ObservedContainer[] = [];
  for (const op of plan.operations) {
    if (op.kind !== 'create-container') continue;
    const network = String((op.spec.body.HostConfig as { NetworkMode?: string } | undefined)?.NetworkMode ?? 'shop_default');
    const materialized = materializeSpec(op.spec, (ref) => starts.get(ref.ipOf))!;
    const ip = starts.get(`start:${op.service}:${op.number}`);
    out.push(
      container({
        service: op.service,
        number: op.number,
        platform: op.daemon,
        name: op.name,
        configHash: materialized.hash,
        labels: materialized.body.Labels as Record<string, string>,
        ips: ip ? { [network]: ip } : {},
      }),
    );
  }
  return out;
}

/** reconcile's plan; a problem found while planning is thrown, so a test can expect it with toThrow. */
export function planOf(...args: Parameters<typeof reconcile>): Plan {
  const { plan, problems } = reconcile(...args);
  if (problems.length) throw problems[0];
  return plan;
}
