/**
 * The library's entry: a loaded stack (the compose file and how to reach its daemons) that up,
 * down, ps, run and logs take. Nothing here prints or exits; failures are the typed errors of
 * errors.ts, cancellation is an AbortSignal.
 */
import { loadProject as loadComposeFiles } from '../config/load-project.js';
import { formatIssue, InterruptedError } from '../errors.js';
import type { Project } from '../model/project.js';
import { connectDaemons } from '../engine/connect-daemons.js';
import type { Daemons } from '../engine/apply.js';
import type { EventSink } from '../model/events.js';

/** Where the stack's file is and how to reach its daemons (the CLI's global flags, as options). */
export interface StackOptions {
  /** Compose files (merged in order); default: compose.yaml etc. in `cwd`. */
  readonly files?: readonly string[];
  readonly projectName?: string;
  readonly projectDirectory?: string;
  readonly envFiles?: readonly string[];
  readonly profiles?: readonly string[];
  /** Default: process.cwd(). */
  readonly cwd?: string;
  /** Environment for interpolation and daemon selection; default: process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly windowsHost?: string;
  readonly linuxHost?: string;
  readonly windowsContext?: string;
  readonly linuxContext?: string;
  /** Let a daemon of the other OS stand in (tests, CI). Default: MIXCOMPOSE_ALLOW_OS_MISMATCH=1. */
  readonly allowOsMismatch?: boolean;
}

/** A loaded stack: its project model, the load warnings, and the options it was loaded with. */
export interface Stack {
  readonly project: Project;
  readonly warnings: readonly string[];
  readonly options: StackOptions;
}

/** Options every long call takes. */
export interface CallOptions {
  /** Cancels the call: open daemon requests are closed, and the call rejects with InterruptedError. */
  readonly signal?: AbortSignal;
  /** Progress and log events as the CLI renders them (typed, see EngineEvent). */
  readonly onEvent?: EventSink;
}

const envOf = (options: StackOptions) => options.env ?? process.env;

/** Loads and checks the compose file(s); throws ConfigError with every problem. */
export async function loadProject(options: StackOptions = {}): Promise<Stack> {
  const env = envOf(options);
  const { project, warnings } = await loadComposeFiles({
    files: options.files ?? [],
    ...(options.projectName ? { projectName: options.projectName } : {}),
    ...(options.projectDirectory ? { projectDirectory: options.projectDirectory } : {}),
    envFiles: options.envFiles ?? [],
    profiles: options.profiles ?? [],
    environment: env,
    cwd: options.cwd ?? process.cwd(),
    daemonOverrides: {
      ...(options.windowsHost ? { windowsHost: options.windowsHost } : {}),
      ...(options.linuxHost ? { linuxHost: options.linuxHost } : {}),
      ...(options.windowsContext ? { windowsContext: options.windowsContext } : {}),
      ...(options.linuxContext ? { linuxContext: options.linuxContext } : {}),
    },
    hostPlatform: process.platform,
  });
  return { project, warnings: warnings.map(formatIssue), options };
}

/**
 * Connects to the stack's daemons for one call and closes them after; `signal` closes them early
 * (every open request ends), and the call then rejects with InterruptedError.
 */
export async function withDaemons<T>(stack: Stack, call: CallOptions, body: (daemons: Daemons) => Promise<T>): Promise<T> {
  if (call.signal?.aborted) throw new InterruptedError();
  const env = envOf(stack.options);
  const connected = await connectDaemons(stack.project, {
    allowOsMismatch: stack.options.allowOsMismatch ?? env.MIXCOMPOSE_ALLOW_OS_MISMATCH === '1',
    env,
  });
  for (const message of connected.warnings) call.onEvent?.({ type: 'warning', message });
  const close = () => {
    for (const client of new Set(Object.values(connected.clients))) client?.close?.();
  };
  call.signal?.addEventListener('abort', close, { once: true });
  try {
    return await body(connected);
  } catch (error) {
    if (call.signal?.aborted) throw new InterruptedError();
    throw error;
  } finally {
    call.signal?.removeEventListener('abort', close);
    close();
  }
}
