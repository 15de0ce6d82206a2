/**
 * Where a pod runs, by the service's platform, and what a Windows pod may not ask for.
 *
 * Kubernetes documents `nodeSelector: kubernetes.io/os` as the way to place a pod by OS;
 * `spec.os.name` is required for Windows pods (it turns on the API's Windows checks) but does not
 * place them. Windows nodes are usually tainted `os=windows:NoSchedule`, so Windows pods tolerate
 * that taint, or name a RuntimeClass that carries node selector and tolerations instead. A Windows
 * container must match the node's build under process isolation (the only isolation Kubernetes
 * has), so `node.kubernetes.io/windows-build` is added when the image's os.version is known.
 */
import type { Service } from '../model/project.js';
import type { ProblemList } from './problems.js';

type Dict = Record<string, unknown>;

export interface Toleration {
  readonly key?: string;
  readonly operator?: 'Equal' | 'Exists';
  readonly value?: string;
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

/** The taint most Windows node pools carry (AKS, EKS, GKE docs and kubeadm guides). */
export const DEFAULT_WINDOWS_TOLERATIONS: readonly Toleration[] = [{ key: 'os', operator: 'Equal', value: 'windows', effect: 'NoSchedule' }];

export interface WindowsPlacementOptions {
  readonly windowsTolerations?: readonly Toleration[];
  /** A RuntimeClass for Windows pods; it carries the scheduling, so no tolerations are written. */
  readonly windowsRuntimeClass?: string;
  /** Image reference → its os.version ("10.0.20348.2113"), as GET /distribution answers it. */
  readonly imageOsVersions?: Readonly<Record<string, string>>;
}

/** Well-known Windows image tags → the build they need. */
const TAG_BUILDS: readonly (readonly [RegExp, string])[] = [
  [/ltsc2025/i, '10.0.26100'],
  [/ltsc2022/i, '10.0.20348'],
  [/ltsc2019|(^|[^0-9])1809([^0-9]|$)/i, '10.0.17763'],
];

/** node.kubernetes.io/windows-build for an image: major.minor.build of its os.version, else from a well-known tag. */
export function windowsBuild(image: string | undefined, versions: Readonly<Record<string, string>> = {}): string | undefined {
  if (!image) return undefined;
  const known = versions[image];
  if (known) {
    const m = /^(\d+\.\d+\.\d+)/.exec(known);
    if (m) return m[1];
  }
  const tag = image.includes(':') ? image.slice(image.lastIndexOf(':') + 1) : '';
  return TAG_BUILDS.find(([pattern]) => pattern.test(tag))?.[1];
}

/** nodeSelector, os, tolerations / runtimeClassName for a service's pod spec. */
export function podPlacement(service: Service, options: WindowsPlacementOptions): Dict {
  const os = service.platform.os;
  const nodeSelector: Record<string, string> = { 'kubernetes.io/os': os };
  if (service.platform.architecture) nodeSelector['kubernetes.io/arch'] = service.platform.architecture;
  const out: Dict = { nodeSelector, os: { name: os } };
  if (os !== 'windows') return out;
  const build = windowsBuild(service.image, options.imageOsVersions);
  if (build) nodeSelector['node.kubernetes.io/windows-build'] = build;
  if (options.windowsRuntimeClass) out.runtimeClassName = options.windowsRuntimeClass;
  else out.tolerations = (options.windowsTolerations ?? DEFAULT_WINDOWS_TOLERATIONS).map((t) => ({ ...t }));
  return out;
}

/**
 * What the API refuses in a pod with `os.name: windows` (privileged, runAsUser/runAsGroup,
 * capabilities, readOnlyRootFilesystem, hostPID, hostNetwork, hostIPC …): one warning per dropped
 * option, so the service still deploys.
 */
export function windowsDrops(service: Service, problems: ProblemList): Set<string> {
  const dropped = new Set<string>();
  if (service.platform.os !== 'windows') return dropped;
  const say = (key: string, what: string) => {
    dropped.add(key);
    problems.warn(`${key} dropped: Windows pods do not support ${what}`, service.name, ['services', service.name, key]);
  };
  if (service.privileged) say('privileged', 'privileged containers');
  if (service.read_only) say('read_only', 'readOnlyRootFilesystem');
  if (service.cap_add?.length) say('cap_add', 'capabilities');
  if (service.cap_drop?.length) say('cap_drop', 'capabilities');
  if (service.user && /^\d+(:\d+)?$/.test(service.user)) say('user', 'runAsUser/runAsGroup (a Windows user name goes to windowsOptions.runAsUserName)');
  if (service.pid === 'host') say('pid', 'hostPID');
  if (service.ipc === 'host') say('ipc', 'hostIPC');
  if (service.network_mode === 'host') say('network_mode', 'hostNetwork');
  if (service.tmpfs?.length) say('tmpfs', 'memory-backed volumes');
  return dropped;
}
