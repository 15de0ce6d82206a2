/**
 * `mixcompose config`: the resolved, normalized model, as `docker compose config` prints it
 * (top-level name, services sorted, networks, volumes, secrets, configs), YAML or JSON. Each
 * service also shows where it runs, under its own `x-mixcompose` key:
 *   x-mixcompose: {daemon: windows, endpoint: "context:desktop-windows", endpoint_source: "docker context desktop-windows (Docker Desktop)"}
 * (endpoint is `context:<name>` when a docker context is used; endpoint_source says where it came
 * from, endpoint-discovery.ts), plus its address references.
 * The project's resolved daemon settings are printed under the top-level `x-mixcompose`.
 *
 * `mixcompose validate` is `config --quiet`: nothing on stdout, exit 0 when valid, 1 when not
 * (each problem on stderr as `file:line:col key.path: message`).
 */
import { hideContent } from '../hide-contents.js';
import { Option, type Command } from 'commander';
import { loadProject, type LoadOptions } from '../../config/load-project.js';
import { userCacheDir } from '../../cache-dir.js';
import { fileProjectCache, fileValidityCache } from '../../config/read-files.js';
import { VERSION } from '../about.js';
import { formatIssue } from '../../errors.js';
import { lintDatabaseStorage, offlineLinuxDaemonKind } from '../../plan/database-lint.js';
import { describeBindSources, offlineBindTarget } from '../../model/host-paths.js';
import type { DaemonSettings, PlatformOs, Project, Service } from '../../model/project.js';
import type { Env } from '../../engine/docker-config.js';
import { chooseEndpoint } from '../../engine/endpoint-discovery.js';
import type { GlobalOptions } from '../global-options.js';
import { globalOptions } from '../program.js';
import { selectServices } from '../../plan/dependencies.js';

/** The loader options for the global flags (-f, -p, --env-file, --profile, daemon overrides). */
export function loadOptionsFor(
  global: GlobalOptions,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
  hostPlatform: NodeJS.Platform,
): LoadOptions {
  const cacheDir = userCacheDir(env, hostPlatform);
  return {
    files: global.file,
    ...(global.projectName ? { projectName: global.projectName } : {}),
    ...(global.projectDirectory ? { projectDirectory: global.projectDirectory } : {}),
    envFiles: global.envFile,
    profiles: global.profile,
    environment: env,
    cwd,
    daemonOverrides: {
      ...(global.windowsHost ? { windowsHost: global.windowsHost } : {}),
      ...(global.linuxHost ? { linuxHost: global.linuxHost } : {}),
      ...(global.windowsContext ? { windowsContext: global.windowsContext } : {}),
      ...(global.linuxContext ? { linuxContext: global.linuxContext } : {}),
    },
    hostPlatform,
    ...(cacheDir ? { validityCache: fileValidityCache(cacheDir, VERSION), projectCache: fileProjectCache(cacheDir, VERSION) } : {}),
  };
}

/** How a daemon is reached, in one string. */
export function daemonEndpoint(d: DaemonSettings): string {
  return d.context ? `context:${d.context}` : (d.host ?? '');
}

type Dict = Record<string, unknown>;

const INTERNAL = new Set(['name', 'addressReferences', 'extension', 'platform']);

function isEmpty(v: unknown): boolean {
  if (v === undefined) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (v !== null && typeof v === 'object') return Object.keys(v).length === 0;
  return false;
}

/** `$` → `$$`, so the printed file interpolates back to the same values (as compose does). */
function escapeDollars(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/\$/g, '$$$$');
  if (Array.isArray(value)) return value.map(escapeDollars);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeDollars(v)]));
  return value;
}

function sortedRecord<T>(record: Readonly<Record<string, T>>, map: (v: T, k: string) => unknown = (v) => v): Dict {
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((k) => [k, map(record[k]!, k)]),
  );
}

/** Where each platform's endpoint is, once discovered (nothing configured), and where it came from. */
export type EndpointSources = Readonly<Partial<Record<PlatformOs, { readonly endpoint: string; readonly source: string }>>>;

/** Each platform's endpoint and its source (endpoint-discovery.ts); a failure to look is the source's text. */
export async function endpointSources(project: Project, env: Env, hostPlatform: NodeJS.Platform): Promise<EndpointSources> {
  const out: Partial<Record<PlatformOs, { endpoint: string; source: string }>> = {};
  for (const platform of ['linux', 'windows'] as const) {
    const settings = project.extension.daemons[platform];
    try {
      const choice = await chooseEndpoint(settings, { env, hostPlatform });
      out[platform] = { endpoint: choice.context ? `context:${choice.context}` : (choice.host ?? ''), source: choice.source };
    } catch (error) {
      out[platform] = { endpoint: daemonEndpoint(settings), source: (error as Error).message };
    }
  }
  return out;
}

function renderService(s: Service, project: Project, sources?: EndpointSources): Dict {
  const out: Dict = {};
  const keys = Object.keys(s).filter((k) => !INTERNAL.has(k) && !isEmpty(s[k]));
  for (const k of [...keys, 'platform'].sort()) out[k] = k === 'platform' ? s.platform.raw : s[k];
  if (s.networks && Object.keys(s.networks).length > 0) out.networks = sortedRecord(s.networks);
  const daemon = project.extension.daemons[s.platform.os];
  out['x-mixcompose'] = {
    daemon: s.platform.os,
    endpoint: sources?.[s.platform.os]?.endpoint ?? daemonEndpoint(daemon),
    ...(sources?.[s.platform.os] ? { endpoint_source: sources[s.platform.os]!.source } : {}),
    ...(s.addressReferences.length
      ? { address_references: s.addressReferences.map((r) => `${r.path.map((p) => (typeof p === 'number' ? `[${p}]` : p)).join('.').replace(/\.\[/g, '[')}: ${r.text}`) }
      : {}),
    ...(s.extension.lint !== undefined ? { lint: s.extension.lint } : {}),
    ...bindSources(s, project),
  };
  return out;
}

/** Bind sources as the service's daemon will receive them (path translation), when there are any. */
function bindSources(s: Service, project: Project): Dict {
  const target = offlineBindTarget(s.platform.os, project.extension.daemons[s.platform.os], process.platform);
  const lines = describeBindSources(s.volumes, project.workingDir, target);
  return lines.length ? { bind_sources: lines } : {};
}

/** The printable model: compose's top-level layout plus each service's platform and daemon. */
export function renderConfig(project: Project, options: { escape: boolean; sources?: EndpointSources }): Dict {
  const out: Dict = { name: project.name };
  out.services = sortedRecord(project.services, (s) => renderService(s, project, options.sources));
  for (const section of ['networks', 'volumes', 'secrets', 'configs'] as const) {
    if (Object.keys(project[section]).length > 0) {
      out[section] = section === 'secrets' || section === 'configs' ? sortedRecord(project[section], hideContent) : sortedRecord(project[section]);
    }
  }
  if (project.models && Object.keys(project.models).length > 0) out.models = sortedRecord(project.models);
  Object.assign(out, project.extensions ?? {});
  out['x-mixcompose'] = {
    default_platform: project.extension.default_platform,
    daemons: sortedRecord(project.extension.daemons, ({ platform: _p, ...rest }) => rest),
    ...(project.extension.resolver ? { resolver: project.extension.resolver } : {}),
  };
  return options.escape ? (escapeDollars(out) as Dict) : out;
}

/** Every profile named by any service, sorted. */
export function profileNames(project: Project): string[] {
  const all = [...Object.values(project.services), ...Object.values(project.disabledServices)];
  return [...new Set(all.flatMap((s) => s.profiles ?? []))].sort();
}

interface ConfigFlags {
  format?: string;
  services?: boolean;
  quiet?: boolean;
  interpolate?: boolean;
  profiles?: boolean;
}

async function runConfig(command: Command, flags: ConfigFlags, selected: readonly string[]): Promise<void> {
  const global = globalOptions(command);
  const { project, warnings } = await loadProject({
    ...loadOptionsFor(global, process.env, process.cwd(), process.platform),
    interpolate: flags.interpolate !== false,
  });
  for (const w of warnings) process.stderr.write(`warning: ${formatIssue(w)}\n`);
  const linuxDaemon = offlineLinuxDaemonKind(project.extension.daemons.linux, process.platform);
  for (const w of lintDatabaseStorage(project, linuxDaemon ? { linuxDaemon } : {})) process.stderr.write(`warning: ${formatIssue(w)}\n`);
  // Unknown names are invalid input (exit 1), as for the other commands, also with --quiet/--services.
  const chosen = selectServices(project, selected, false);
  if (flags.quiet) return;
  if (flags.services) {
    process.stdout.write((chosen ?? Object.keys(project.services)).map((s) => `${s}\n`).join(''));
    return;
  }
  if (flags.profiles) {
    process.stdout.write(profileNames(project).map((p) => `${p}\n`).join(''));
    return;
  }
  const shown: Project = selected.length
    ? { ...project, services: Object.fromEntries(Object.entries(project.services).filter(([n]) => selected.includes(n))) }
    : project;
  const sources = await endpointSources(project, process.env, process.platform);
  const model = renderConfig(shown, { escape: flags.interpolate !== false, sources });
  if (flags.format === 'json') {
    process.stdout.write(`${JSON.stringify(model, null, 2)}\n`);
    return;
  }
  // The yaml package loads here, not with this module: `up` imports this module (loadOptionsFor)
  // and, when its project cache answers, needs no yaml at all.
  const { stringify } = await import('../yaml-output.js');
  process.stdout.write(stringify(model, { lineWidth: 0, aliasDuplicateObjects: false }));
}

export function registerConfig(program: Command): void {
  program
    .command('config')
    .description('Validate the stack file(s) and print the resolved model (each service with its platform and daemon)')
    .argument('[services...]', 'only these services')
    .addOption(new Option('--format <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .option('--services', 'print the service names, one per line')
    .option('--profiles', 'print the profile names, one per line')
    .option('-q, --quiet', 'only validate; the exit code says whether the files are valid')
    .option('--no-interpolate', 'do not replace ${VAR} (print the files as written, merged)')
    .action(async (services: string[], flags: ConfigFlags, command: Command) => {
      await runConfig(command, flags, services);
    });
  program
    .command('validate')
    .description('Validate the stack file(s): the same as `config --quiet`')
    .action(async (_flags: unknown, command: Command) => {
      await runConfig(command, { quiet: true }, []);
    });
}
