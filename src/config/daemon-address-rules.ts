/**
 * Where a daemon's `address` (x-mixcompose.daemons.<platform>.address) is needed, checked when the
 * file is loaded so that `validate`, `config`, `plan` and `up` report every missing one at once, with
 * file, line and key, beside the file's other problems.
 *
 * The rule is the planner's (plan/resolver.ts resolverLayout, plan/addresses.ts), applied to the reach
 * the file configures: under `reach: published` for a platform, names across daemons (the project
 * resolver, on unless `resolver.enabled: false`) need the windows daemon's address when windows is
 * published and the linux daemon's address when either is; `{{ s.host }}` of a service on the other
 * daemon needs the address of s's daemon when s's platform is published. `auto` is decided by a probe
 * when `up` runs, so for it the planner's check stays the only one.
 */
import type { PlatformOs, Project } from '../model/project.js';
import type { IssueList } from './issues.js';
import type { PositionIndex } from './positions.js';

export interface DaemonAddressContext {
  readonly root: Record<string, unknown>;
  readonly positions: PositionIndex;
  readonly issues: IssueList;
}

const OPT_OUT = 'or leave names across daemons out with x-mixcompose.resolver.enabled: false';

function other(platform: PlatformOs): PlatformOs {
  return platform === 'linux' ? 'windows' : 'linux';
}

/** Why names across daemons need `platform`'s address (the planner's words), or undefined. */
function namesNeed(platform: PlatformOs, published: (p: PlatformOs) => boolean): string | undefined {
  if (platform === 'windows') {
    return published('windows') ? "reach of windows containers is published, so linux containers resolve windows service names to the windows daemon's address" : undefined;
  }
  if (published('linux')) return "reach of linux containers is published, so windows containers ask the resolver at the linux daemon's address and resolve linux service names to it";
  if (published('windows')) return "reach of windows containers is published, so windows containers need answers of their own from the resolver, at the linux daemon's address";
  return undefined;
}

/** The message for a missing address that names across daemons need (as plan/resolver.ts words it). */
export function namesAddressMissing(platform: PlatformOs, why: string): string {
  return `names across daemons: ${why}, but x-mixcompose.daemons.${platform}.address is not set: set it to the IP at which the other daemon's containers reach ${platform} published ports, ${OPT_OUT}`;
}

/** The message for a missing address that address references across daemons need. */
export function referencesAddressMissing(platform: PlatformOs, uses: readonly string[]): string {
  const from = other(platform);
  const shown = uses.length > 3 ? [...uses.slice(0, 3), `${uses.length - 3} more`] : uses;
  return (
    `reach of ${platform} containers is published, so ${shown.join(', ')} become${uses.length === 1 ? 's' : ''} the ${platform} daemon's address, ` +
    `but x-mixcompose.daemons.${platform}.address is not set: set it to the host name or IP at which the ${from} daemon's containers reach ${platform} published ports`
  );
}

/** Reports each daemon address that configured `published` reach needs and the file does not set. */
export function checkDaemonAddresses(project: Project, ctx: DaemonAddressContext): void {
  const daemons = project.extension.daemons;
  const services = Object.values(project.services);
  const platforms = new Set(services.map((s) => s.platform.os));
  if (platforms.size < 2) return; // nothing crosses daemons
  // One endpoint for both platforms is one daemon: the planner places everything there.
  const endpoint = (p: PlatformOs) => (daemons[p]?.context !== undefined ? `context:${daemons[p]!.context}` : daemons[p]?.host);
  if (endpoint('linux') !== undefined && endpoint('linux') === endpoint('windows')) return;
  const published = (p: PlatformOs) => daemons[p]?.reach === 'published';
  const namesOn = project.extension.resolver?.enabled !== false;

  for (const platform of ['linux', 'windows'] as const) {
    if (daemons[platform]?.address) continue;
    const why = namesOn ? namesNeed(platform, published) : undefined;
    let message: string | undefined;
    if (why) message = namesAddressMissing(platform, why);
    else if (published(platform)) {
      const uses = services
        .filter((consumer) => consumer.platform.os !== platform)
        .flatMap((consumer) =>
          consumer.addressReferences
            .filter((ref) => ref.kind === 'host' && project.services[ref.service]?.platform.os === platform)
            .map((ref) => `${ref.text} in service ${consumer.name}`),
        );
      if (uses.length > 0) message = referencesAddressMissing(platform, [...new Set(uses)].sort());
    }
    if (!message) continue;
    const keyPath = ['x-mixcompose', 'daemons', platform, 'address'];
    ctx.issues.error(message, ctx.positions.locate(ctx.root, keyPath), keyPath);
  }
}
