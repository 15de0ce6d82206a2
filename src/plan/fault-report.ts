/**
 * What to tell the user when a daemon fails in the middle of `up`/`down` (pure): which daemon,
 * during what, what was done, what was not, and the exact command that continues.
 *
 *   daemon linux (unix:///run/x.sock) failed during up: connect ECONNREFUSED /run/x.sock
 *   done: [network shop_default (linux), container shop-db-1 started]
 *   not done: [container shop-web-1 create, container shop-web-1 start]
 *   to continue: mixcompose -f /srv/shop/compose.yaml -p shop up -d
 */
import { DaemonError } from '../errors.js';

export interface ResumeCommand {
  /** Compose files as the user gave them (or as resolved), in merge order. */
  readonly files: readonly string[];
  readonly projectName?: string;
  readonly projectDirectory?: string;
  readonly envFiles?: readonly string[];
  readonly profiles?: readonly string[];
  /** Daemon flags given on the command line (an environment variable stays set; a flag would be lost). */
  readonly windowsHost?: string;
  readonly linuxHost?: string;
  readonly windowsContext?: string;
  readonly linuxContext?: string;
  /** Given as --allow-os-mismatch (not through MIXCOMPOSE_ALLOW_OS_MISMATCH). */
  readonly allowOsMismatch?: boolean;
  /** --progress, when not the default "auto". */
  readonly progress?: string;
  /** The command to run again: "up", "down", "start", ... */
  readonly command: string;
  /** Its flags, as given: ["-d", "--retry-daemon", "120"]. */
  readonly args?: readonly string[];
}

export interface FaultReport {
  /** The daemon that failed, as its label: "linux (unix:///run/mixcompose-rig/linux.sock)". */
  readonly daemon: string;
  /** The command or step during which it failed: "up", "down", "create container shop-db-1". */
  readonly operation: string;
  readonly cause?: unknown;
  readonly done: readonly string[];
  readonly notDone: readonly string[];
  readonly resume: ResumeCommand;
}

/** Quotes a word for a POSIX shell only when it needs it. */
export function shellQuote(word: string): string {
  if (word !== '' && /^[\w@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command line that continues: `mixcompose -f a.yaml -f b.yaml -p shop up -d`, with every
 * global flag that was given (a dropped --linux-host would act on another daemon).
 */
export function formatResumeCommand(resume: ResumeCommand): string {
  const words = ['mixcompose'];
  for (const f of resume.files) words.push('-f', f);
  if (resume.projectName) words.push('-p', resume.projectName);
  if (resume.projectDirectory) words.push('--project-directory', resume.projectDirectory);
  for (const e of resume.envFiles ?? []) words.push('--env-file', e);
  for (const p of resume.profiles ?? []) words.push('--profile', p);
  if (resume.windowsHost) words.push('--windows-host', resume.windowsHost);
  if (resume.linuxHost) words.push('--linux-host', resume.linuxHost);
  if (resume.windowsContext) words.push('--windows-context', resume.windowsContext);
  if (resume.linuxContext) words.push('--linux-context', resume.linuxContext);
  if (resume.allowOsMismatch) words.push('--allow-os-mismatch');
  if (resume.progress && resume.progress !== 'auto') words.push('--progress', resume.progress);
  words.push(resume.command, ...(resume.args ?? []));
  return words.map(shellQuote).join(' ');
}

function causeText(cause: unknown): string {
  if (cause === undefined) return '';
  let e: unknown = cause;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return `: ${e instanceof Error ? e.message : String(e)}`;
}

/** The one-paragraph report, one fact per line. */
export function formatFaultReport(report: FaultReport): string {
  return [
    `daemon ${report.daemon} failed during ${report.operation}${causeText(report.cause)}`,
    `done: [${report.done.join(', ')}]`,
    `not done: [${report.notDone.join(', ')}]`,
    `to continue: ${formatResumeCommand(report.resume)}`,
  ].join('\n');
}

/** The same facts as a DaemonError, which the CLI prints with its done / not done / to continue lines. */
export function daemonFault(report: FaultReport): DaemonError {
  return new DaemonError(report.daemon, report.operation, report.cause, {
    done: report.done,
    notDone: report.notDone,
    resume: formatResumeCommand(report.resume),
  });
}
