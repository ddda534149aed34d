import { describe, expect, it } from 'vitest';
import { Extranonce1Allocator } from '../../src/stratum/extranonce.js';
import { LineReader } from '../../src/stratum/line-reader.js';
import { errorLine, parseMessage, requestLine, resultLine } from '../../src/stratum/messages.js';
import { Vardiff } from '../../src/stratum/vardiff.js';

describe('LineReader', () => {
  it('splits lines across chunks, takes \\r\\n, skips empty lines', () => {
    const reader = new LineReader(64);
    expect(reader.push(Buffer.from('{"a":1}\n{"b"'))).toEqual(['{"a":1}']);
    expect(reader.buffered).toBe(4);
    expect(reader.push(Buffer.from(':2}\r\n\n\r\n{"c":3}\n'))).toEqual(['{"b":2}', '{"c":3}']);
    expect(reader.buffered).toBe(0);
  });

  it('refuses a line longer than its cap, with or without a newline yet', () => {
    expect(new LineReader(8).push(Buffer.from('123456789'))).toBe('too-long');
    expect(new LineReader(8).push(Buffer.from('123456789\nok\n'))).toBe('too-long');
    const reader = new LineReader(8);
    expect(reader.push(Buffer.from('1234'))).toEqual([]);
    expect(reader.push(Buffer.from('56789'))).toBe('too-long');
    expect(new LineReader(8).push(Buffer.from('12345678\n'))).toEqual(['12345678']);
  });
});

describe('JSON-RPC messages', () => {
  it('tells requests, responses and junk apart', () => {
    expect(parseMessage('{"id":1,"method":"mining.subscribe","params":["x"]}')).toEqual({ kind: 'request', id: 1, method: 'mining.subscribe', params: ['x'] });
    expect(parseMessage('{"id":null,"method":"mining.notify"}')).toMatchObject({ kind: 'request', params: [] });
    expect(parseMessage('{"id":4,"result":true,"error":null}')).toEqual({ kind: 'response', id: 4, result: true, error: null });
    for (const junk of ['nope', '[]', '5', '{"id":1}', '{"id":1,"method":"x","params":{}}', '{"id":[1],"method":"x"}']) {
      expect(parseMessage(junk).kind, junk).toBe('junk');
    }
  });

  it('writes one line per message, errors as [code, message, null]', () => {
    expect(resultLine(1, true)).toBe('{"id":1,"result":true,"error":null}\n');
    expect(errorLine('a', 23, 'low difficulty share')).toBe('{"id":"a","result":null,"error":[23,"low difficulty share",null]}\n');
    expect(requestLine('mining.set_difficulty', [0.5])).toBe('{"id":null,"method":"mining.set_difficulty","params":[0.5]}\n');
  });
});

describe('Extranonce1Allocator', () => {
  it('never hands out a live or reserved value, and gives a released one back to its session for a while', () => {
    let now = 0;
    const values = [5, 5, 7, 9, 5, 11, 13];
    const allocator = new Extranonce1Allocator({ now: () => now, resumeMs: 1000, reserved: () => [7], random: () => values.shift()! });
    const a = allocator.allocate();
    expect(a).toMatchObject({ extranonce1: 5, sessionId: '05000000', resumed: false });
    expect(allocator.allocate().extranonce1).toBe(9); // 5 is live, 7 reserved
    allocator.release(5);
    expect(allocator.allocate(a.sessionId)).toMatchObject({ extranonce1: 5, resumed: true });
    expect(allocator.allocate(a.sessionId)).toMatchObject({ extranonce1: 11, resumed: false }); // live again: not taken over
    allocator.release(11);
    now = 1001;
    expect(allocator.allocate('0b000000')).toMatchObject({ extranonce1: 13, resumed: false }); // too late
    expect(allocator.liveCount).toBe(3); // 5, 9 and 13
  });
});

describe('Vardiff', () => {
  it('raises the difficulty of a session sending shares far faster than one per target interval', () => {
    const v = new Vardiff(0, { targetSeconds: 5, retargetShares: 10 });
    let next: number | null = null;
    for (let i = 1; i <= 10; i++) next = v.share(1, 1, i * 0.1); // 10 shares in 1 s at difficulty 1
    expect(next).toBe(50);
  });

  it('leaves a session near its target alone, caps a step at 64×, and eases a quiet one down', () => {
    const steady = new Vardiff(0, { targetSeconds: 5, retargetShares: 4 });
    let next: number | null = null;
    for (let i = 1; i <= 4; i++) next = steady.share(1, 1, i * 4);
    expect(next).toBeNull();
    const burst = new Vardiff(0, { retargetShares: 2 });
    burst.share(1, 1, 0.001);
    expect(burst.share(1, 1, 0.002)).toBe(64);
    const quiet = new Vardiff(0, { retargetSeconds: 60 });
    expect(quiet.tick(8, 30)).toBeNull();
    expect(quiet.tick(8, 61)).toBe(1);
  });
});
