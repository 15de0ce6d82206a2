/**
 * The adapter's calls for interactive streams and container control beyond the lifecycle:
 * exec (create, hijacked start, resize, inspect), attach (hijacked), resize, pause/unpause, top.
 * The adapter composes them (engine/dockerode-client.ts) with its own request and error wrapping;
 * this file imports no dockerode.
 */
import type { Duplex } from 'node:stream';
import type { ContainerIoClient, ContainerTop, ExecSpec } from '../daemon-client.js';

/** One Engine API request as the adapter makes it; `hijack` upgrades the connection to a raw stream. */
export interface IoRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly body?: unknown;
  readonly hijack?: boolean;
}

export type IoRequester = <T>(options: IoRequest) => Promise<T>;
/** Wraps a failure as the adapter does (DaemonError naming the daemon and the operation). */
export type IoCaller = <T>(operation: string, fn: () => Promise<T>) => Promise<T>;

const path = (kind: 'containers' | 'exec', id: string, action: string) => `/${kind}/${encodeURIComponent(id)}/${action}`;

/** The ContainerIoClient calls over an adapter's request and error wrapping. */
export function containerIoCalls(request: IoRequester, call: IoCaller): ContainerIoClient {
  return {
    createExec: (containerId: string, spec: ExecSpec) =>
      call(`exec ${JSON.stringify(spec.cmd)} in container ${containerId}`, async () => {
        const created = await request<{ Id: string }>({
          method: 'POST',
          path: path('containers', containerId, 'exec'),
          body: {
            AttachStdin: spec.stdin,
            AttachStdout: true,
            AttachStderr: true,
            Tty: spec.tty,
            Cmd: spec.cmd,
            ...(spec.env?.length ? { Env: spec.env } : {}),
            ...(spec.user ? { User: spec.user } : {}),
            ...(spec.workingDir ? { WorkingDir: spec.workingDir } : {}),
            ...(spec.privileged ? { Privileged: true } : {}),
          },
        });
        return created.Id;
      }),
    startExec: (execId: string, tty: boolean) =>
      call(`start exec ${execId}`, () => request<Duplex>({ method: 'POST', path: path('exec', execId, 'start'), body: { Detach: false, Tty: tty }, hijack: true })),
    resizeExec: (execId: string, rows: number, cols: number) =>
      call(`resize exec ${execId}`, async () => {
        await request({ method: 'POST', path: path('exec', execId, 'resize'), query: { h: rows, w: cols } });
      }),
    inspectExec: (execId: string) =>
      call(`inspect exec ${execId}`, () => request<{ ExitCode: number | null; Running: boolean }>({ method: 'GET', path: path('exec', execId, 'json') })),
    attachContainer: (id: string) =>
      call(`attach to container ${id}`, () =>
        request<Duplex>({ method: 'POST', path: path('containers', id, 'attach'), query: { stream: true, stdin: true, stdout: true, stderr: true }, hijack: true }),
      ),
    resizeContainer: (id: string, rows: number, cols: number) =>
      call(`resize container ${id}`, async () => {
        await request({ method: 'POST', path: path('containers', id, 'resize'), query: { h: rows, w: cols } });
      }),
    pauseContainer: (id: string) =>
      call(`pause container ${id}`, async () => {
        await request({ method: 'POST', path: path('containers', id, 'pause') });
      }),
    unpauseContainer: (id: string) =>
      call(`unpause container ${id}`, async () => {
        await request({ method: 'POST', path: path('containers', id, 'unpause') });
      }),
    topContainer: (id: string, psArgs?: string) =>
      call(`list processes of container ${id}`, () => request<ContainerTop>({ method: 'GET', path: path('containers', id, 'top'), query: { ps_args: psArgs } })),
  };
}
