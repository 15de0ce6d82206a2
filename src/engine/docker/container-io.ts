/**
 * Interactive streams and container control beyond the lifecycle: exec (create, hijacked start,
 * resize, inspect), attach (hijacked), resize, pause/unpause, top. Composed by index.ts.
 */
import type { Duplex } from 'node:stream';
import type { ContainerIoClient, ContainerTop, ExecSpec } from '../daemon-client.js';
import type { Transport } from './transport.js';

const path = (kind: 'containers' | 'exec', id: string, action: string) => `/${kind}/${encodeURIComponent(id)}/${action}`;

export type ContainerIoCalls = ContainerIoClient;

/** The ContainerIoClient calls over the adapter's transport. */
export function containerIoCalls(t: Transport): ContainerIoCalls {
  return {
    createExec: (containerId: string, spec: ExecSpec) =>
      t.call(`exec ${JSON.stringify(spec.cmd)} in container ${containerId}`, async () => {
        const created = await t.request<{ Id: string }>({
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
      t.call(`start exec ${execId}`, () => t.request<Duplex>({ method: 'POST', path: path('exec', execId, 'start'), body: { Detach: false, Tty: tty }, hijack: true })),
    resizeExec: (execId: string, rows: number, cols: number) =>
      t.call(`resize exec ${execId}`, async () => {
        await t.request({ method: 'POST', path: path('exec', execId, 'resize'), query: { h: rows, w: cols } });
      }),
    inspectExec: (execId: string) =>
      t.call(`inspect exec ${execId}`, () => t.request<{ ExitCode: number | null; Running: boolean }>({ method: 'GET', path: path('exec', execId, 'json') })),
    attachContainer: (id: string) =>
      t.call(`attach to container ${id}`, () =>
        t.request<Duplex>({ method: 'POST', path: path('containers', id, 'attach'), query: { stream: true, stdin: true, stdout: true, stderr: true }, hijack: true }),
      ),
    resizeContainer: (id: string, rows: number, cols: number) =>
      t.call(`resize container ${id}`, async () => {
        await t.request({ method: 'POST', path: path('containers', id, 'resize'), query: { h: rows, w: cols } });
      }),
    pauseContainer: (id: string) =>
      t.call(`pause container ${id}`, async () => {
        await t.request({ method: 'POST', path: path('containers', id, 'pause') });
      }),
    unpauseContainer: (id: string) =>
      t.call(`unpause container ${id}`, async () => {
        await t.request({ method: 'POST', path: path('containers', id, 'unpause') });
      }),
    topContainer: (id: string, psArgs?: string) =>
      t.call(`list processes of container ${id}`, () => t.request<ContainerTop>({ method: 'GET', path: path('containers', id, 'top'), query: { ps_args: psArgs } })),
  };
}
