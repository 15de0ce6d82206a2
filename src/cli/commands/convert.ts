/**
 * `mixcompose convert --to swarm|kubernetes`: the project as a stack file for `docker stack
 * deploy`, or as Kubernetes manifests, placed by each service's platform. Warnings (what the target
 * drops or does differently) go to stderr; errors (the output would not deploy) fail the command
 * before anything is written.
 *
 *   convert --to swarm [-o stack.yaml] [--no-windows-routing-mesh]
 *   convert --to kubernetes [-o DIR] [--validate] [--windows-toleration key=value:Effect]...
 *           [--windows-runtime-class NAME] [--windows-os-version IMAGE=VERSION]...
 * Defaults for these flags come from the file's x-mixcompose.swarm / x-mixcompose.kubernetes.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { stringify } from 'yaml';
import { loadProject } from '../../config/load-project.js';
import { convertToKubernetes, type KubernetesConvertOptions } from '../../convert/kubernetes.js';
import { validateManifests } from '../../convert/kubernetes-validate.js';
import type { Toleration } from '../../convert/kubernetes-windows.js';
import { formatProblem, type ConvertProblem } from '../../convert/problems.js';
import { convertToSwarm, type SwarmConvertOptions } from '../../convert/swarm.js';
import { PlanError, UsageError, formatIssue } from '../../errors.js';
import type { Project } from '../../model/project.js';
import { globalOptions } from '../program.js';
import { loadOptionsFor } from './config.js';

interface ConvertFlags {
  to: 'swarm' | 'kubernetes';
  output?: string;
  validate?: boolean;
  windowsRoutingMesh: boolean;
  windowsToleration: string[];
  windowsRuntimeClass?: string;
  windowsOsVersion: string[];
}

const collect = (value: string, previous: string[]) => [...previous, value];
const yamlText = (value: unknown) => stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });

/** `key=value:Effect`, `key:Effect` (operator Exists) → a toleration. */
export function parseToleration(text: string): Toleration {
  const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(text);
  if (!m) throw new UsageError(`--windows-toleration ${text}: expected key=value:Effect or key:Effect (Effect: NoSchedule, PreferNoSchedule, NoExecute)`);
  const effect = m[3] as Toleration['effect'];
  return m[2] !== undefined ? { key: m[1]!, operator: 'Equal', value: m[2], effect } : { key: m[1]!, operator: 'Exists', effect };
}

function imageVersions(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.lastIndexOf('=');
    if (at <= 0) throw new UsageError(`--windows-os-version ${pair}: expected IMAGE=VERSION, as in mcr.microsoft.com/windows/nanoserver:ltsc2022=10.0.20348.2113`);
    out[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return out;
}

/** Prints the warnings; throws with the errors (nothing is written then). */
function report(problems: readonly ConvertProblem[]): void {
  for (const p of problems) if (p.severity === 'warning') process.stderr.write(`warning: ${formatProblem(p)}\n`);
  const errors = problems.filter((p) => p.severity === 'error').map(formatProblem);
  if (errors.length) throw new PlanError(`the project cannot be converted as it is:\n  ${errors.join('\n  ')}`);
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** x-mixcompose.kubernetes of the file, each flag overriding its setting. */
export function kubernetesOptionsFor(
  project: Project,
  flags: Pick<ConvertFlags, 'windowsToleration' | 'windowsRuntimeClass' | 'windowsOsVersion'>,
): KubernetesConvertOptions {
  const file = project.extension.kubernetes ?? {};
  const tolerations = flags.windowsToleration.length ? flags.windowsToleration.map(parseToleration) : file.windows_tolerations;
  const runtimeClass = flags.windowsRuntimeClass ?? file.windows_runtime_class;
  return {
    ...(tolerations ? { windowsTolerations: tolerations } : {}),
    ...(runtimeClass ? { windowsRuntimeClass: runtimeClass } : {}),
    ...(file.storage_size ? { storageSize: file.storage_size } : {}),
    imageOsVersions: { ...file.windows_os_versions, ...imageVersions(flags.windowsOsVersion) },
  };
}

function toKubernetes(project: Project, flags: ConvertFlags): void {
  const { manifests, problems } = convertToKubernetes(project, { readFile: readText, ...kubernetesOptionsFor(project, flags) });
  report(problems);
  if (flags.validate) {
    const invalid = validateManifests(manifests);
    if (invalid.length) throw new PlanError(`manifests the Kubernetes schemas refuse:\n  ${invalid.join('\n  ')}`);
  }
  if (!flags.output) {
    process.stdout.write(manifests.map(yamlText).join('---\n'));
    return;
  }
  mkdirSync(flags.output, { recursive: true });
  manifests.forEach((m, i) => {
    const name = `${String(i + 1).padStart(2, '0')}-${String(m.kind).toLowerCase()}-${(m.metadata as { name: string }).name}.yaml`;
    writeFileSync(join(flags.output!, name), yamlText(m));
  });
  process.stderr.write(`wrote ${manifests.length} manifests to ${flags.output}${flags.validate ? ' (valid against the Kubernetes schemas)' : ''}\n`);
}

/** Swarm options: `--no-windows-routing-mesh` when given, else x-mixcompose.swarm, else the routing mesh. */
export function swarmOptionsFor(project: Project, flags: { windowsRoutingMesh: boolean }, command: Command): SwarmConvertOptions {
  const fromCli = command.getOptionValueSource('windowsRoutingMesh') === 'cli';
  return { windowsRoutingMesh: fromCli ? flags.windowsRoutingMesh : (project.extension.swarm?.windows_routing_mesh ?? true) };
}

function toSwarm(project: Project, flags: ConvertFlags, command: Command): void {
  const { document, problems } = convertToSwarm(project, swarmOptionsFor(project, flags, command));
  report(problems);
  const text = `# docker stack deploy -c <this file> ${project.name}\n${yamlText(document)}`;
  if (flags.output) writeFileSync(flags.output, text);
  else process.stdout.write(text);
}

export function registerConvert(program: Command): void {
  program
    .command('convert')
    .description('Write the project as a Swarm stack file or as Kubernetes manifests, placed by each service\'s OS')
    .addOption(new Option('--to <target>', 'swarm or kubernetes').choices(['swarm', 'kubernetes']).makeOptionMandatory())
    .option('-o, --output <path>', 'swarm: the stack file to write; kubernetes: the directory for one file per manifest (default: stdout)')
    .option('--validate', 'kubernetes: check every manifest against the Kubernetes schemas (exit 1 when one fails)')
    .option('--no-windows-routing-mesh', 'swarm: Windows nodes without the routing mesh (Server 2016): endpoint_mode dnsrr, host-mode ports')
    .option('--windows-toleration <key=value:Effect>', 'kubernetes: toleration of Windows pods (repeatable; default os=windows:NoSchedule)', collect, [])
    .option('--windows-runtime-class <name>', 'kubernetes: a RuntimeClass for Windows pods instead of tolerations')
    .option('--windows-os-version <image=version>', 'kubernetes: the os.version of a Windows image, for node.kubernetes.io/windows-build (repeatable)', collect, [])
    .action(async (flags: ConvertFlags, command: Command) => {
      const { project, warnings } = await loadProject(loadOptionsFor(globalOptions(command), process.env, process.cwd(), process.platform));
      for (const w of warnings) process.stderr.write(`warning: ${formatIssue(w)}\n`);
      if (flags.to === 'swarm') toSwarm(project, flags, command);
      else toKubernetes(project, flags);
    });
}
