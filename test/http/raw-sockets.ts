import { request } from 'node:http';
import { connect, type Socket } from 'node:net';

/** A client socket kept open on purpose (idle, or fed by the test), with what came back and whether it closed. */
export interface RawSocket {
  socket: Socket;
  closed: Promise<void>;
  isClosed(): boolean;
  received(): string;
}

/** Open a TCP connection to 127.0.0.1:port, from `localAddress` (any of 127.0.0.0/8) if given. */
export function openSocket(port: number, localAddress?: string, send?: string): Promise<RawSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', ...(localAddress ? { localAddress } : {}) });
    let text = '';
    let closed = false;
    const closedPromise = new Promise<void>((done) => socket.once('close', () => ((closed = true), done())));
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.on('error', () => {}); // a reset from the server is part of what the tests look at
    socket.once('connect', () => {
      if (send !== undefined) socket.write(send);
      resolve({ socket, closed: closedPromise, isClosed: () => closed, received: () => text });
    });
    socket.once('error', reject);
  });
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Send raw bytes, read until the server closes, and parse the one HTTP/1.1 answer. */
export async function rawExchange(port: number, bytes: string): Promise<RawAnswer> {
  const s = await openSocket(port, undefined, bytes);
  await s.closed;
  return parseAnswer(s.received());
}

export function parseAnswer(text: string): RawAnswer {
  const split = text.indexOf('\r\n\r\n');
  if (split < 0) throw new Error(`no complete HTTP answer in ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine, ...lines] = text.slice(0, split).split('\r\n');
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine!)?.[1]), headers, body: text.slice(split + 4) };
}

/** GET over a fresh connection (no keep-alive pool), optionally from a given loopback address. */
export function getFresh(port: number, path: string, localAddress?: string, timeoutMs = 5000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, ...(localAddress ? { localAddress } : {}), timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** Poll until `check()` holds (bounded). */
export async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function closeAll(sockets: readonly RawSocket[]): void {
  for (const s of sockets) s.socket.destroy();
}
