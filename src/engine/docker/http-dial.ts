/**
 * One Engine API call over node:http / node:https: the plain transport for unix sockets, named
 * pipes, tcp and TLS, and for ssh:// through its dial agent (an http.Agent, ssh-dial-agent.ts).
 *
 * Why not docker-modem here (issue 9): loading docker-modem loads ssh2 and its crypto (some sixty
 * CommonJS modules) in every process, for a transport that only ever sends one HTTP request at a
 * time. This file does what docker-modem's `dial` does for the requests transport.ts sends, with the
 * same results: the parsed JSON body (or the raw buffer when it is not JSON), the response stream,
 * or the upgraded socket; errors carry `statusCode` and the daemon's JSON (`json`) as docker-modem's
 * do, so errors.ts reads both alike. docker-modem stays for dockerode (BuildKit builds) and for its
 * own ssh protocol.
 */
import { request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions as NodeRequestOptions, type Agent } from 'node:http';
import { stringify as stringifyQuery } from 'node:querystring';
import { addAbortSignal, type Readable } from 'node:stream';

/** Where the daemon listens (the ModemOptions fields this transport uses). */
export interface HttpTarget {
  readonly socketPath?: string | undefined;
  readonly host?: string | undefined;
  readonly port?: number | undefined;
  readonly protocol?: 'http' | 'https' | 'ssh' | undefined;
  readonly ca?: Buffer | undefined;
  readonly cert?: Buffer | undefined;
  readonly key?: Buffer | undefined;
  readonly agent?: Agent | undefined;
  /** Milliseconds without activity before the request is destroyed (DOCKER_CLIENT_TIMEOUT). */
  readonly timeout?: number | undefined;
}

/** One request, as transport.ts builds it. */
export interface DialRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, unknown>>;
  readonly body: unknown;
  readonly file?: Readable | Buffer | undefined;
  readonly isStream: boolean;
  readonly hijack: boolean;
  /** Status codes that are success (true) or an error with this reason. */
  readonly statusCodes: Readonly<Record<number, true | string>>;
  readonly authconfig?: unknown;
  readonly registryconfig?: unknown;
  readonly signal: AbortSignal;
}

/** A failed call: the HTTP status and the daemon's answer, as docker-modem reports it. */
export interface HttpDialError extends Error {
  statusCode?: number;
  reason?: string;
  json?: unknown;
}

/** The query string: objects (filters) as JSON, arrays as repeated keys (docker-modem's buildQuerystring). */
export function queryString(query: Readonly<Record<string, unknown>>): string {
  const flat: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) {
    flat[key] = value && typeof value === 'object' && !Array.isArray(value) ? JSON.stringify(value) : value;
  }
  return stringifyQuery(flat as Parameters<typeof stringifyQuery>[0]);
}

/** JSON when the text parses to something truthy, else the raw bytes (docker-modem's rule). */
function parsedBody(buffer: Buffer): unknown {
  try {
    return JSON.parse(buffer.toString()) || buffer;
  } catch {
    return buffer;
  }
}

function statusError(status: number, reason: string | undefined, cause: unknown, json: unknown): HttpDialError {
  const c = cause as { message?: unknown; error?: unknown } | undefined;
  const text = (c && typeof c === 'object' && (c.message || c.error)) || cause;
  const error: HttpDialError = new Error(`(HTTP code ${status}) ${reason ?? 'unexpected'} - ${String(text)} `);
  error.reason = reason;
  error.statusCode = status;
  error.json = json;
  return error;
}

/** The body to send and its headers (JSON for POST bodies, a tar for `file`). */
function requestBody(request: DialRequest, headers: Record<string, string | number>): string | Buffer | Readable | undefined {
  let data: string | Buffer | Readable | undefined;
  if (request.file) {
    data = request.file;
    headers['Content-Type'] = 'application/tar';
  } else if (request.method === 'POST') {
    const json = JSON.stringify(request.body ?? {});
    if (json !== '{}' && json !== '""') {
      data = json;
      headers['Content-Type'] = 'application/json';
    }
  }
  if (typeof data === 'string') headers['Content-Length'] = Buffer.byteLength(data);
  else if (Buffer.isBuffer(data)) headers['Content-Length'] = data.length;
  else if (request.method === 'PUT' || request.hijack) headers['Transfer-Encoding'] = 'chunked';
  if (request.hijack) {
    headers.Connection = 'Upgrade';
    headers.Upgrade = 'tcp';
  }
  return data;
}

function nodeRequestOptions(target: HttpTarget, request: DialRequest, headers: Record<string, string | number>): NodeRequestOptions & { ca?: Buffer; cert?: Buffer; key?: Buffer } {
  const hasQuery = Object.keys(request.query).length > 0;
  const options: NodeRequestOptions & { ca?: Buffer; cert?: Buffer; key?: Buffer } = {
    method: request.method,
    path: `${request.path}${hasQuery ? `?${queryString(request.query)}` : ''}`,
    headers,
    signal: request.signal,
  };
  if (target.socketPath) {
    options.socketPath = target.socketPath;
    // No TLS on a socket, so no server name: without one node:http works it out with net.isIP,
    // whose IPv6 pattern costs some 20 ms of CPU to compile on a process's first request.
    (options as { servername?: string }).servername = '';
  } else {
    options.hostname = target.host;
    if (target.port !== undefined) options.port = target.port;
  }
  if (target.agent) options.agent = target.agent;
  if (target.ca) options.ca = target.ca;
  if (target.cert) options.cert = target.cert;
  if (target.key) options.key = target.key;
  return options;
}

/** Reads a failed stream response's body for its message (docker-modem's getCause). */
function streamCause(res: IncomingMessage, done: (error: Error | null, cause?: unknown) => void): void {
  let text = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => (text += chunk));
  res.once('error', (error) => done(error));
  res.once('end', () => {
    let cause: unknown = text;
    try {
      cause = JSON.parse(text) || text;
    } catch {
      // not JSON: the text itself
    }
    done(null, cause);
  });
}

/**
 * Sends one request. `callback` gets the JSON (or buffer), the response stream (`isStream`) or the
 * upgraded socket (`hijack`); or an error: node's own (ECONNREFUSED, ENOENT, AbortError) or an
 * HttpDialError for a status that `statusCodes` does not call success.
 */
export function httpDial(target: HttpTarget, request: DialRequest, callback: (error: Error | null, data?: unknown) => void): void {
  let finished = false;
  const finish = (error: Error | null, data?: unknown) => {
    if (finished) return;
    finished = true;
    callback(error, data);
  };
  const headers: Record<string, string | number> = {};
  if (request.authconfig) {
    const auth = request.authconfig as { key?: string; base64?: string };
    headers['X-Registry-Auth'] = auth.key || auth.base64 || Buffer.from(JSON.stringify(auth)).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
  }
  if (request.registryconfig) {
    const config = request.registryconfig as { base64?: string };
    headers['X-Registry-Config'] = config.base64 || Buffer.from(JSON.stringify(config)).toString('base64');
  }
  const data = requestBody(request, headers);
  let req: ClientRequest;
  try {
    // node:https (and tls with it) loads at the first TLS call: unix sockets never need it.
    const send = target.protocol === 'https' ? process.getBuiltinModule('node:https').request : httpRequest;
    req = send(nodeRequestOptions(target, request, headers));
  } catch (error) {
    finish(error as Error);
    return;
  }
  if (target.timeout) {
    req.setTimeout(target.timeout);
    req.on('timeout', () => req.destroy());
  }
  if (request.hijack) {
    req.on('upgrade', (_res, socket, head) => {
      if (head.length > 0) socket.unshift(head);
      finish(null, socket);
    });
  }
  req.on('response', (res) => onResponse(request, res, finish));
  req.on('error', (error) => finish(error));
  if (typeof data === 'string' || Buffer.isBuffer(data)) {
    req.end(data);
  } else if (data) {
    data.on('error', (error) => req.destroy(error));
    data.pipe(req);
  } else {
    req.end();
  }
}

function onResponse(request: DialRequest, res: IncomingMessage, finish: (error: Error | null, data?: unknown) => void): void {
  const status = res.statusCode ?? 0;
  const verdict = request.statusCodes[status];
  if (request.isStream) {
    if (verdict === true) return finish(null, res);
    streamCause(res, (error, cause) => finish(error ?? statusError(status, verdict, cause, null)));
    return;
  }
  // The request's signal ends the request, not the response: tie the response to it too.
  addAbortSignal(request.signal, res);
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('error', (error) => finish(error));
  res.on('end', () => {
    const json = parsedBody(Buffer.concat(chunks));
    if (verdict === true) finish(null, json);
    else finish(statusError(status, verdict, json, json));
  });
}
