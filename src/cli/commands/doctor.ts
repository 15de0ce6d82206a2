/**
 * `mixcompose doctor`: checks both daemons and the network path between them, prints a table with a
 * verdict and the fix for every failure (`--format json` for machines), exits 1 on any failure.
 * Works without a compose file (daemons from flags / MIXCOMPOSE_*_HOST / defaults); with one, it also
 * checks that the file's address references can be honoured.
 */
import { Command, Option } from 'commander';
import { defaultDaemonHost } from '../../config/extension.js';
import { loadProject } from '../../config/load-project.js';
import { ConfigError, formatIssue } from '../../errors.js';
import type { DaemonSettings, PlatformOs, Project } from '../../model/project.js';
import type { DaemonClient } from '../../engine/daemon-client.js';
import { resolveEndpoint } from '../../engine/daemon-endpoints.js';
import { enforceEndpointSecurity } from '../../engine/endpoint-security.js';
import { createDockerodeClient } from '../../engine/dockerode-client.js';
import { runDoctor, type DoctorReport } from '../../engine/doctor.js';
import type { DoctorRow } from '../../plan/doctor-verdict.js';
import { EXIT_INVALID } from '../exit-codes.js';
import type { GlobalOptions } from '../global-options.js';
import { globalOptions } from '../program.js';
import { loadOptionsFor } from './config.js';
import { seconds } from './session.js';

const PLATFORMS: readonly PlatformOs[] = ['linux', 'windows'];
/** Seconds a daemon call may take before the daemon counts as not answering. */
const CALL_TIMEOUT_SECONDS = 15;

/** The compose file when there is one; undefined when none is given and none is found. */
async function loadOptionalProject(global: GlobalOptions, env: NodeJS.ProcessEnv): Promise<{ project?: Project; warnings: string[] }> {
  try {
    const { project, warnings } = await loadProject(loadOptionsFor(global, env, process.cwd(), process.platform));
    return { project, warnings: warnings.map(formatIssue) };
  } catch (error) {
    const noFile = error instanceof ConfigError && global.file.length === 0 && error.issues.every((i) => i.message.startsWith('no compose file found'));
    if (noFile) return { warnings: [] };
    throw error;
  }
}

/** Daemon settings without a file: CLI > MIXCOMPOSE_<P>_HOST/_CONTEXT > default. */
function settingsWithoutFile(platform: PlatformOs, global: GlobalOptions, env: NodeJS.ProcessEnv): DaemonSettings {
  const P = platform.toUpperCase();
  const cliHost = platform === 'linux' ? global.linuxHost : global.windowsHost;
  const cliContext = platform === 'linux' ? global.linuxContext : global.windowsContext;
  if (cliHost || cliContext) return { platform, reach: 'auto', origin: 'cli', ...(cliHost ? { host: cliHost } : { context: cliContext! }) };
  const envHost = env[`MIXCOMPOSE_${P}_HOST`];
  const envContext = env[`MIXCOMPOSE_${P}_CONTEXT`];
  if (envHost || envContext) return { platform, reach: 'auto', origin: 'env', ...(envHost ? { host: envHost } : { context: envContext! }) };
  return { platform, reach: 'auto', origin: 'default', host: defaultDaemonHost(platform, process.platform, env) };
}

type ProbeImages = Partial<Record<PlatformOs, string>>;

/** --probe-image image (both daemons) or platform=image (one), repeatable. */
function collectProbeImage(value: string, previous: ProbeImages): ProbeImages {
  const match = /^(linux|windows)=(.+)$/.exec(value);
  if (match) return { ...previous, [match[1]!]: match[2]! };
  return { ...previous, linux: value, windows: value };
}

const STATUS_TEXT: Record<DoctorRow['status'], string> = { ok: 'ok', warn: 'WARN', fail: 'FAIL', skip: 'skip' };

/** The table: check, status, detail; a `fix:` line under each warning and failure; the verdict last. */
export function formatDoctorTable(report: Pick<DoctorReport, 'rows' | 'verdict'>): string {
  const width = Math.max(5, ...report.rows.map((r) => r.check.length));
  const lines = [`${'CHECK'.padEnd(width)}  STATUS  DETAIL`];
  for (const row of report.rows) {
    lines.push(`${row.check.padEnd(width)}  ${STATUS_TEXT[row.status].padEnd(6)}  ${row.detail}`);
    if (row.fix && (row.status === 'fail' || row.status === 'warn')) lines.push(`${''.padEnd(width)}  ${''.padEnd(6)}  fix: ${row.fix}`);
  }
  const count = (s: DoctorRow['status']) => report.rows.filter((r) => r.status === s).length;
  const summary = `${count('ok')} ok, ${count('warn')} warning(s), ${count('fail')} failed, ${count('skip')} not checked`;
  lines.push('', `verdict: ${report.verdict === 'ok' ? 'OK' : report.verdict === 'warn' ? 'OK with warnings' : 'FAIL'} (${summary})`);
  return lines.join('\n') + '\n';
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check both daemons and the network path between them (probe containers, removed afterwards)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option(
      '--probe-image <[platform=]image>',
      'image for the probe containers, on both daemons or on one (linux=…, windows=…); default: the resolver image on a Linux daemon (built when missing), nanoserver of the host build on a Windows one',
      collectProbeImage,
      {} as ProbeImages,
    )
    .option('--probe-timeout <seconds>', 'seconds each network probe may take', seconds, 2)
    .action(async (opts: { format: 'table' | 'json'; probeImage: ProbeImages; probeTimeout: number }, command: Command) => {
      const global = globalOptions(command);
      const env = process.env;
      const { project, warnings } = await loadOptionalProject(global, env);
      const clients: Partial<Record<PlatformOs, DaemonClient>> = {};
      const labels: Partial<Record<PlatformOs, string>> = {};
      const keys: Partial<Record<PlatformOs, string>> = {};
      // Where the other daemon's containers reach this daemon's published ports: the file's
      // `address`, else the host of a tcp:// or ssh:// endpoint; local daemons: the probe's gateway.
      const addresses: Partial<Record<PlatformOs, string>> = {};
      const endpointErrors: Partial<Record<PlatformOs, string>> = {};
      for (const platform of PLATFORMS) {
        const settings = project?.extension.daemons[platform] ?? settingsWithoutFile(platform, global, env);
        try {
          const endpoint = await resolveEndpoint(settings, { env, hostPlatform: process.platform });
          enforceEndpointSecurity({ [platform]: endpoint }, Boolean(command.optsWithGlobals().insecureDaemon) || env.MIXCOMPOSE_INSECURE_DAEMON === '1');
          labels[platform] = endpoint.label;
          keys[platform] = endpoint.key;
          const address = settings.address ?? (endpoint.parsed.scheme === 'tcp' || endpoint.parsed.scheme === 'ssh' ? endpoint.parsed.host : undefined);
          if (address) addresses[platform] = address;
          const shared = PLATFORMS.find((p) => p !== platform && keys[p] === endpoint.key);
          // An idle-socket timeout on every request: a daemon that never answers must not keep
          // doctor alive after it has printed its verdict.
          const timeout = Math.max(CALL_TIMEOUT_SECONDS, opts.probeTimeout + 10) * 1000;
          clients[platform] = shared ? clients[shared]! : createDockerodeClient({ label: endpoint.label, modem: { ...endpoint.modem, timeout } });
        } catch (error) {
          labels[platform] = `${platform} (${settings.host ?? settings.context ?? 'default'})`;
          endpointErrors[platform] = error instanceof Error ? error.message : String(error);
        }
      }
      const closeAll = () => {
        // Release connections (a daemon that never answered must not keep the process alive).
        for (const c of new Set(Object.values(clients))) (c as { close?: () => void } | undefined)?.close?.();
      };
      let report: DoctorReport;
      try {
        report = await runDoctor({
          clients,
          labels,
          endpointErrors,
          sameDaemon: keys.linux !== undefined && keys.linux === keys.windows,
          allowOsMismatch: global.allowOsMismatch,
          probeImages: {
            ...Object.fromEntries(PLATFORMS.flatMap((p) => (project?.extension.daemons[p]?.probe_image ? [[p, project.extension.daemons[p].probe_image]] : []))),
            ...opts.probeImage,
          },
          env,
          onEvent: (event) => {
            if (event.type === 'step' && event.status !== 'started' && opts.format === 'table') process.stderr.write(`${event.action} ${event.name}: ${event.status}${event.message ? ` (${event.message})` : ''}\n`);
          },
          probeTimeoutSeconds: opts.probeTimeout,
          callTimeoutSeconds: CALL_TIMEOUT_SECONDS,
          addresses,
          ...(project
            ? {
                project,
                resolverImage: env.MIXCOMPOSE_RESOLVER_IMAGE ?? project.extension.resolver?.image,
                reach: { linux: project.extension.daemons.linux.reach, windows: project.extension.daemons.windows.reach },
              }
            : env.MIXCOMPOSE_RESOLVER_IMAGE
              ? { resolverImage: env.MIXCOMPOSE_RESOLVER_IMAGE }
              : {}),
        });
      } finally {
        closeAll();
      }
      if (opts.format === 'json') {
        const probeRun = report.facts.network?.run;
        process.stdout.write(`${JSON.stringify({ verdict: report.verdict, rows: report.rows, ...(probeRun ? { probeRun } : {}), warnings }, null, 2)}\n`);
      } else {
        for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
        process.stdout.write(formatDoctorTable(report));
      }
      if (report.verdict === 'fail') process.exitCode = EXIT_INVALID;
    });
}
