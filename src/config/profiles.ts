/**
 * Profiles: a service with `profiles:` is active only when one of them is enabled (`--profile`,
 * COMPOSE_PROFILES; `*` enables all). Inactive services go to `disabledServices`. As in compose,
 * an active service that requires (`depends_on`, required: true) an inactive one is an error
 * naming the profiles to enable; a `required: false` dependency on it is dropped with a warning.
 */
import type { Service } from '../model/project.js';
import { own, type PositionIndex } from './positions.js';
import type { IssueList } from './issues.js';

export function isServiceActive(service: Service, activeProfiles: readonly string[]): boolean {
  const profiles = service.profiles ?? [];
  return profiles.length === 0 || activeProfiles.includes('*') || profiles.some((p) => activeProfiles.includes(p));
}

export function selectByProfiles(
  services: Readonly<Record<string, Service>>,
  activeProfiles: readonly string[],
  root: unknown,
  positions: PositionIndex,
  issues: IssueList,
): { enabled: Record<string, Service>; disabled: Record<string, Service> } {
  const enabled: Record<string, Service> = {};
  const disabled: Record<string, Service> = {};
  for (const [name, s] of Object.entries(services)) (isServiceActive(s, activeProfiles) ? enabled : disabled)[name] = s;
  for (const [name, s] of Object.entries(enabled)) {
    let depends = s.depends_on;
    for (const [dep, spec] of Object.entries(s.depends_on)) {
      const target = own(disabled, dep);
      if (!target) continue;
      const keyPath = ['services', name, 'depends_on', dep];
      const profiles = (target.profiles ?? []).join(', ');
      if (spec.required) {
        issues.error(
          `service "${name}" depends on "${dep}", which is only in profile(s) ${profiles}, none of them enabled: enable one with --profile (or COMPOSE_PROFILES)`,
          positions.locate(root, keyPath),
          keyPath,
        );
      } else {
        issues.warning(`optional dependency "${dep}" of "${name}" is in an inactive profile (${profiles}); ignored`, positions.locate(root, keyPath), keyPath);
        const { [dep]: _dropped, ...rest } = depends;
        depends = rest;
      }
    }
    if (depends !== s.depends_on) enabled[name] = { ...s, depends_on: depends };
  }
  return { enabled, disabled };
}
