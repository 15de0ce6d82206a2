/**
 * Swarm placement of a service by its platform: `node.platform.os == <os>` (and `node.platform.arch`
 * when the platform names an architecture), merged with the user's own constraints. A user
 * constraint on node.platform.os that contradicts the platform is an error, not a silent override.
 */
import type { PlatformSpec } from '../model/project.js';

/** OCI architecture → what Swarm reports as node.platform.arch (Go's runtime → uname -m). */
const SWARM_ARCH: Readonly<Record<string, string>> = {
  amd64: 'x86_64',
  arm64: 'aarch64',
  arm: 'armv7l',
  '386': 'i386',
  ppc64le: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
};

const OS_CONSTRAINT = /^\s*node\.platform\.os\s*(==|!=)\s*(\S+)\s*$/;

export interface PlacementMerge {
  readonly constraints: string[];
  /** A user constraint that contradicts the platform. */
  readonly conflict?: string;
}

/** The constraints of a service: the user's, then the platform's (unless the user already said the same). */
export function platformConstraints(platform: PlatformSpec, user: readonly string[]): PlacementMerge {
  const constraints = [...user];
  let conflict: string | undefined;
  let osSaid = false;
  for (const c of user) {
    const m = OS_CONSTRAINT.exec(c);
    if (!m) continue;
    const [, op, value] = m as unknown as [string, string, string];
    const agrees = op === '==' ? value === platform.os : value !== platform.os;
    if (!agrees) conflict = c;
    if (op === '==' && agrees) osSaid = true;
  }
  if (!osSaid) constraints.push(`node.platform.os == ${platform.os}`);
  const arch = platform.architecture ? SWARM_ARCH[platform.architecture] ?? platform.architecture : undefined;
  if (arch && !user.some((c) => /^\s*node\.platform\.arch\s*==/.test(c))) constraints.push(`node.platform.arch == ${arch}`);
  return conflict ? { constraints, conflict } : { constraints };
}
