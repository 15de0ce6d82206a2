/** Inside a running container: exec (output collected) and the archive endpoints (tar in / out). */
import type { IncomingMessage } from 'node:http';
import type { DaemonClient } from '../daemon-client.js';
import { isNotFound } from './errors.js';
import { demultiplex, readAll } from './streams.js';
import type { Transport } from './transport.js';

export type ExecCalls = Required<Pick<DaemonClient, 'exec' | 'putArchive' | 'getArchive'>>;

export function execCalls(t: Transport): ExecCalls {
  return {
    exec: (id, cmd) =>
      t.call(`exec ${JSON.stringify(cmd)} in container ${id}`, async () => {
        const created = await t.request<{ Id: string }>({
          method: 'POST',
          path: `/containers/${encodeURIComponent(id)}/exec`,
          body: { AttachStdout: true, AttachStderr: true, AttachStdin: false, Tty: false, Cmd: cmd },
        });
        const res = await t.request<IncomingMessage>({ method: 'POST', path: `/exec/${created.Id}/start`, body: { Detach: false, Tty: false }, stream: true });
        const out = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
        for await (const { stream, data } of demultiplex(res, true)) out[stream].push(data);
        const inspect = await t.request<{ ExitCode: number | null; Running?: boolean }>({ method: 'GET', path: `/exec/${created.Id}/json` });
        return {
          exitCode: inspect.ExitCode ?? -1,
          stdout: Buffer.concat(out.stdout).toString('utf8'),
          stderr: Buffer.concat(out.stderr).toString('utf8'),
        };
      }),
    putArchive: (id, path, tar) =>
      t.call(`copy archive to ${path} in container ${id}`, async () => {
        await t.request({ method: 'PUT', path: `/containers/${encodeURIComponent(id)}/archive`, query: { path }, file: tar });
      }),
    getArchive: async (id, path) => {
      try {
        const res = await t.request<IncomingMessage>({ method: 'GET', path: `/containers/${encodeURIComponent(id)}/archive`, query: { path }, stream: true });
        return await readAll(res);
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw t.wrap(`copy ${path} from container ${id}`, error);
      }
    },
  };
}
