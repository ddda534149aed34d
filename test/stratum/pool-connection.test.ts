import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PoolConnection, parsePoolUrl } from '../../src/stratum/pool-connection.js';

/** A scripted pool of the cpuminer era: no mining.configure (never answered), 8-byte extranonce2, difficulty as a string. */
let server: Server | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

async function oldPool(onSubmit: (params: unknown[]) => unknown): Promise<{ url: string; seen: string[]; push: (line: object) => void }> {
  const seen: string[] = [];
  let client: Socket | undefined;
  server = createServer((socket) => {
    client = socket;
    sockets.push(socket);
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const m = JSON.parse(buffer.slice(0, nl)) as { id: number; method: string; params: unknown[] };
        buffer = buffer.slice(nl + 1);
        seen.push(m.method);
        const reply = (result: unknown) => socket.write(`${JSON.stringify({ id: m.id, result, error: null })}\n`);
        if (m.method === 'mining.subscribe') reply([[['mining.notify', 'ae6812eb4cd7735a302a8a9dd95cf71f']], 'f8002c90', 8]);
        else if (m.method === 'mining.authorize') {
          reply(true);
          socket.write('{"id":null,"method":"mining.set_difficulty","params":["0.5"]}\n');
          socket.write(`${JSON.stringify({ id: null, method: 'mining.notify', params: ['bf', '00'.repeat(32), '01', '02', [], '20000000', '1d00ffff', '5f5e1000', true] })}\n`);
        } else if (m.method === 'mining.submit') {
          socket.write(`${JSON.stringify({ id: m.id, result: null, error: onSubmit(m.params) })}\n`);
        }
        // mining.configure: not known here, not answered.
      }
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `stratum+tcp://127.0.0.1:${port}`, seen, push: (line) => client?.write(`${JSON.stringify(line)}\n`) };
}

describe('PoolConnection against a pool that is not ours', () => {
  it('logs in without mining.configure being answered, takes its terms, and reads its error answers', async () => {
    const pool = await oldPool(() => [23, 'Low difficulty share', null]);
    const connection = await PoolConnection.open(pool.url, { user: 'worker1', password: 'x', userAgent: 'test', handshakeTimeoutMs: 3000 });
    expect(pool.seen.slice(0, 3)).toEqual(['mining.configure', 'mining.subscribe', 'mining.authorize']);
    await new Promise((r) => setTimeout(r, 50));
    expect(connection.latest).toMatchObject({ job: { jobId: 'bf', clean: true, version: 0x20000000 }, terms: { extranonce2Size: 8, difficulty: 0.5, versionMask: 0 } });
    expect(connection.extranonce1).toBe('f8002c90');
    expect(await connection.submit(['worker1', 'bf', '0000000000000000', '5f5e1000', '00000001'])).toEqual({ accepted: false, code: 23, reason: 'Low difficulty share' });
    const closed = new Promise((resolve) => connection.once('close', resolve));
    pool.push({ id: null, method: 'client.reconnect', params: [] });
    expect(await closed).toBe('the pool asked us to reconnect');
  });

  it('gives up on a pool that never answers subscribe', async () => {
    server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await expect(PoolConnection.open(`stratum+tcp://127.0.0.1:${port}`, { user: 'u', password: 'x', userAgent: 't', handshakeTimeoutMs: 300 })).rejects.toThrow(/did not answer/);
  });

  it('reads stratum+tcp://HOST:PORT and nothing else', () => {
    expect(parsePoolUrl('stratum+tcp://pool.example:3333')).toEqual({ host: 'pool.example', port: 3333 });
    expect(parsePoolUrl('stratum+tcp://[::1]:3333')).toEqual({ host: '::1', port: 3333 });
    for (const bad of ['http://a:1', 'stratum+tcp://a', 'stratum+tcp://a:0', 'stratum+tcp://a:70000']) expect(() => parsePoolUrl(bad), bad).toThrow(RangeError);
  });
});
