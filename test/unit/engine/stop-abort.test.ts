/**
 * A bounded stop against an engine that never answers (a wedged daemon, LCOW's 300 s stop) must
 * not leave requests open: an open request keeps the process alive after `down` has finished.
 * A local HTTP server on a unix socket plays the engine; no Docker daemon is involved.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modemOptionsFor, parseDockerHost } from '../../../src/engine/daemon-endpoints.js';
import { createDockerodeClient } from '../../../src/engine/dockerode-client.js';
import { stopBounded } from '../../../src/engine/stop.js';

describe('stopBounded against an engine that never answers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mixcompose-stop-abort-'));
  const socket = join(dir, 'engine.sock');
  const open = new Set<IncomingMessage>();
  const seen: string[] = [];
  let server: Server;

  beforeAll(async () => {
    server = createServer((req) => {
      seen.push(`${req.method} ${req.url?.replace(/\?.*/, '')}`);
      open.add(req);
      req.socket.on('close', () => open.delete(req));
      // never answers
    });
    await new Promise<void>((resolve) => server.listen(socket, resolve));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports the container stuck and closes every request it made', async () => {
    const client = createDockerodeClient({ label: 'wedged', modem: modemOptionsFor(parseDockerHost(`unix://${socket}`), undefined, {}) });
    const result = await stopBounded(client, { id: 'c1', name: 'shop-db-1' }, { graceSeconds: 0, marginSeconds: 0.1, killWaitSeconds: 0.2 });
    expect(result.outcome).toBe('stuck');
    expect(result.message).toContain('shop-db-1');
    expect(seen).toEqual(['POST /containers/c1/stop', 'POST /containers/c1/kill']);
    // The aborted requests' sockets close (polled with a deadline, not slept on).
    const deadline = Date.now() + 5000;
    while (open.size > 0 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    expect(open.size).toBe(0);
  });
});
