/** Minimal Project values for engine unit tests (only what connectDaemons / ensureImages read). */
import type { DaemonSettings, PlatformOs, Project, Service } from '../../../src/model/project.js';

export function stubService(name: string, os: PlatformOs, extra: Partial<Service> = {}): Service {
  return {
    name,
    platform: { os, raw: os },
    environment: {},
    ports: [],
    expose: [],
    volumes: [],
    depends_on: {},
    networks: {},
    labels: {},
    extra_hosts: [],
    secrets: [],
    configs: [],
    addressReferences: [],
    extension: {},
    ...extra,
  };
}

export function stubProject(
  services: readonly Service[],
  daemons: Partial<Record<PlatformOs, Partial<DaemonSettings>>> = {},
  name = 'stub',
): Project {
  const settings = (platform: PlatformOs): DaemonSettings => ({
    platform,
    reach: 'auto',
    origin: 'file',
    ...daemons[platform],
  });
  return {
    name,
    workingDir: '/tmp',
    configFiles: ['/tmp/compose.yaml'],
    services: Object.fromEntries(services.map((s) => [s.name, s])),
    disabledServices: {},
    networks: {},
    volumes: {},
    secrets: {},
    configs: {},
    extension: { default_platform: 'linux', daemons: { linux: settings('linux'), windows: settings('windows') } },
    environment: {},
    profiles: [],
  };
}
