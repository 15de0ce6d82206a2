/**
 * One project, one writer: the per-project lock that mutating commands (up, down, start, stop,
 * restart, run) hold while they change the project's daemons.
 *
 * The lock is an object on a daemon that every process sharing the daemons sees, whatever machine
 * it runs on: a container that is created and never started, named `<project>-mixcompose-lock`,
 * with no image (nothing is pulled, nothing runs, no disk beyond an empty layer). Container names
 * are reserved atomically by the daemon, so of two creates at once exactly one succeeds and the
 * other gets 409 Conflict. (Network names are not unique in Engine API 1.41, and creating a volume
 * twice answers with the existing one, so neither can serve.) The labels say who holds it: host,
 * pid, command and since. The holder renews it by writing the time into the container's file
 * `/mixcompose-lock-renewed` (labels cannot change) every quarter of the stale bound.
 *
 * A lock is stale, and is removed by the next taker, when its owner is gone (same host, and no
 * process with its pid) or when it was neither taken nor renewed within the bound (default 1 h: a
 * holder on another machine that died). It is removed by container ID, never by name, so two
 * takers that both found the same stale lock cannot remove each other's fresh one.
 *
 * Time, sleeping, the host name, the pid and the liveness check are injected (tests use a fake
 * clock); the engine prints nothing: waiting is reported as events.
 */
import { hostname as osHostname } from 'node:os';

import { PlanError } from '../errors.js';
import type { EventSink } from '../model/events.js';
import type { DaemonClient, EngineBody } from './daemon-client.js';
import { answeredStatus } from './retry-daemon.js';
import { tarArchive, tarFiles } from './tar.js';

/** Label keys of the lock container (never the compose project label: observe must not see it). */
export const LOCK_LABELS = {
  lock: 'io.mixcompose.lock',
  project: 'io.mixcompose.lock.project',
  host: 'io.mixcompose.lock.host',
  pid: 'io.mixcompose.lock.pid',
  command: 'io.mixcompose.lock.command',
  since: 'io.mixcompose.lock.since',
} as const;

/** Where the holder writes the time of its last renewal (ms since the epoch, as text). */
export const LOCK_RENEWED_FILE = 'mixcompose-lock-renewed';

/** Default stale bound: a lock neither taken nor renewed for this long is abandoned. */
export const DEFAULT_LOCK_STALE_MS = 60 * 60 * 1000;

/** The lock container's name for a project. */
export function lockName(project: string): string {
  return `${project}-mixcompose-lock`;
}

/** Who holds a lock, as its labels say. */
export interface LockHolder {
  readonly host: string;
  readonly pid: number;
  readonly command: string;
  /** When it was taken (ms since the epoch). */
  readonly since: number;
  /** When it was last renewed, if ever. */
  readonly renewed?: number;
}

/** "up on host ci-7 (pid 4242) since 2026-12-02T00:40:00.000Z" */
export function describeHolder(holder: LockHolder): string {
  return `${holder.command} on host ${holder.host} (pid ${holder.pid}) since ${new Date(holder.since).toISOString()}`;
}

/**
 * Another mixcompose holds the project (and `--wait-lock` was not given, or its time ran out). A
 * PlanError: the CLI reports it as one clear message with exit 1, like any refusal before acting.
 */
export class ProjectLockedError extends PlanError {
  constructor(
    readonly project: string,
    readonly daemon: string,
    /** Undefined when the name is taken by a container that is no mixcompose lock. */
    readonly holder: LockHolder | undefined,
    waitedSeconds: number,
  ) {
    const name = lockName(project);
    const waited = waitedSeconds > 0 ? ` (waited ${waitedSeconds} s)` : '';
    super(
      holder
        ? `project ${project} is locked by another mixcompose: ${describeHolder(holder)}${waited}. ` +
            `Only one command at a time may change a project. Wait for it with --wait-lock[=seconds]; ` +
            `if that process is gone for good, remove the lock: docker rm -f ${name} (on daemon ${daemon})`
        : `project ${project} cannot be locked: a container named ${name} on daemon ${daemon} is not a mixcompose lock ` +
            `(it has no ${LOCK_LABELS.lock} label). Rename or remove it, or use another project name (-p)`,
    );
  }
}

export interface ProjectLockOptions {
  /** The daemon holding the lock (the Linux daemon when the project uses one). */
  readonly client: DaemonClient;
  readonly project: string;
  /** The command taking it (up, down, ...), shown to whoever finds it held. */
  readonly command: string;
  /** `--wait-lock`: how long to wait for a held lock, in seconds (0 or absent: refuse at once). */
  readonly waitSeconds?: number;
  readonly staleAfterMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly hostname?: string;
  readonly pid?: number;
  /** Whether a process of this host is alive; default: signal 0. */
  readonly isAlive?: (pid: number) => boolean;
  readonly onEvent?: EventSink;
  /** Renewal timer; default setInterval (unref'd). Tests pass their own or none. */
  readonly every?: (ms: number, tick: () => void) => () => void;
}

/** A held lock. `release` removes it (idempotent); `renew` writes the time now. */
export interface ProjectLock {
  readonly id: string;
  readonly name: string;
  renew(): Promise<void>;
  release(): Promise<void>;
}

/** First pause between two tries while waiting, and the longest. */
const FIRST_PAUSE_MS = 200;
const MAX_PAUSE_MS = 5000;

/** Parses the labels of a found lock container; undefined when it is not a lock. */
export function holderOf(labels: Readonly<Record<string, string>> | undefined, renewed?: number): LockHolder | undefined {
  if (!labels || labels[LOCK_LABELS.lock] !== 'true') return undefined;
  const since = Date.parse(labels[LOCK_LABELS.since] ?? '');
  const pid = Number(labels[LOCK_LABELS.pid]);
  return {
    host: labels[LOCK_LABELS.host] ?? '?',
    pid: Number.isInteger(pid) ? pid : -1,
    command: labels[LOCK_LABELS.command] ?? '?',
    since: Number.isFinite(since) ? since : 0,
    ...(renewed !== undefined ? { renewed } : {}),
  };
}

/** Why a lock is stale, or undefined when its holder may still be working. */
export function staleReason(
  holder: LockHolder,
  facts: { now: number; hostname: string; staleAfterMs: number; isAlive: (pid: number) => boolean },
): string | undefined {
  if (holder.host === facts.hostname && holder.pid > 0 && !facts.isAlive(holder.pid)) {
    return `its process ${holder.pid} on this host is gone`;
  }
  const last = Math.max(holder.since, holder.renewed ?? 0);
  if (facts.now - last > facts.staleAfterMs) {
    return `it was not renewed for ${Math.round((facts.now - last) / 1000)} s (bound ${Math.round(facts.staleAfterMs / 1000)} s)`;
  }
  return undefined;
}

function defaultIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, owned by someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function defaultEvery(ms: number, tick: () => void): () => void {
  const timer = setInterval(tick, ms);
  timer.unref();
  return () => clearInterval(timer);
}

/** The time the holder last wrote into the lock, if it did. */
async function readRenewed(client: DaemonClient, id: string): Promise<number | undefined> {
  try {
    const archive = await client.getArchive(id, `/${LOCK_RENEWED_FILE}`);
    const file = archive ? tarFiles(archive)[0] : undefined;
    const value = file ? Number(file.content.toString('utf8').trim()) : NaN;
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

type Found = { kind: 'gone' } | { kind: 'foreign'; id: string } | { kind: 'lock'; id: string; holder: LockHolder };

/** Looks at the container holding the lock name (it may have gone in the meantime). */
async function findHolder(client: DaemonClient, name: string): Promise<Found> {
  let body: EngineBody;
  try {
    body = await client.inspectContainer(name);
  } catch (error) {
    if (answeredStatus(error) === 404) return { kind: 'gone' };
    throw error;
  }
  const id = String(body.Id ?? name);
  const labels = (body.Config as { Labels?: Record<string, string> } | undefined)?.Labels;
  const holder = holderOf(labels);
  if (!holder) return { kind: 'foreign', id };
  const renewed = await readRenewed(client, id);
  return { kind: 'lock', id, holder: renewed !== undefined ? { ...holder, renewed } : holder };
}

/**
 * Takes the project's lock, waiting up to `waitSeconds` (with backoff) while another live
 * holder has it, and removing a stale one. Throws ProjectLockedError when it stays held.
 */
export async function acquireProjectLock(options: ProjectLockOptions): Promise<ProjectLock> {
  const { client, project, command } = options;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const host = options.hostname ?? osHostname();
  const pid = options.pid ?? process.pid;
  const staleAfterMs = options.staleAfterMs ?? DEFAULT_LOCK_STALE_MS;
  const isAlive = options.isAlive ?? defaultIsAlive;
  const waitSeconds = options.waitSeconds ?? 0;
  const name = lockName(project);
  const started = now();
  let pause = FIRST_PAUSE_MS;
  let announced = false;

  for (;;) {
    const body: EngineBody = {
      Cmd: ['mixcompose-lock'],
      Labels: {
        [LOCK_LABELS.lock]: 'true',
        [LOCK_LABELS.project]: project,
        [LOCK_LABELS.host]: host,
        [LOCK_LABELS.pid]: String(pid),
        [LOCK_LABELS.command]: command,
        [LOCK_LABELS.since]: new Date(now()).toISOString(),
      },
      HostConfig: { NetworkMode: 'none' },
    };
    try {
      const { id } = await client.createContainer(name, body);
      return heldLock(client, id, name, { now, staleAfterMs, every: options.every ?? defaultEvery });
    } catch (error) {
      if (answeredStatus(error) !== 409) throw error;
    }
    const found = await findHolder(client, name);
    if (found.kind === 'gone') continue; // released between our create and our look: try again
    if (found.kind === 'foreign') throw new ProjectLockedError(project, client.label, undefined, 0);
    const stale = staleReason(found.holder, { now: now(), hostname: host, staleAfterMs, isAlive });
    if (stale) {
      options.onEvent?.({ type: 'warning', message: `project ${project}: removing a stale lock (${describeHolder(found.holder)}): ${stale}` });
      await client.removeContainer(found.id, { force: true });
      continue;
    }
    const waited = now() - started;
    if (waited >= waitSeconds * 1000) throw new ProjectLockedError(project, client.label, found.holder, Math.round(waited / 1000));
    if (!announced) {
      announced = true;
      options.onEvent?.({ type: 'warning', message: `project ${project} is locked by ${describeHolder(found.holder)}: waiting up to ${waitSeconds} s` });
    }
    await sleep(Math.min(pause, waitSeconds * 1000 - waited));
    pause = Math.min(pause * 2, MAX_PAUSE_MS);
  }
}

function heldLock(
  client: DaemonClient,
  id: string,
  name: string,
  facts: { now: () => number; staleAfterMs: number; every: (ms: number, tick: () => void) => () => void },
): ProjectLock {
  let released = false;
  const renew = async () => {
    if (released) return;
    await client.putArchive(id, '/', tarArchive([{ path: LOCK_RENEWED_FILE, content: String(facts.now()) }]));
  };
  // A failed renewal is not fatal: the next one may succeed, and the stale bound is generous.
  const stop = facts.every(Math.max(1000, Math.floor(facts.staleAfterMs / 4)), () => void renew().catch(() => undefined));
  return {
    id,
    name,
    renew,
    async release() {
      if (released) return;
      released = true;
      stop();
      await client.removeContainer(id, { force: true });
    },
  };
}
