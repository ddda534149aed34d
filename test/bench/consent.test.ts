import { describe, expect, it, vi } from 'vitest';
import { run as bench } from '../../src/cli/commands/bench.js';

describe('bench consent, at the smallest settings', () => {
  it('builds and replays a log of consents and reads, and checks: the granted pairs allowed, the others not', async () => {
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    try {
      await bench(['consent', '--consents', '40', '--accesses', '120', '--block-txs', '50', '--checks', '60', '--json']);
    } finally {
      spy.mockRestore();
    }
    const report = JSON.parse(out.join(''));
    // 40 consents: 4 subjects with 10 grantees each; every other check asks for a grantee holding one.
    expect(report.onChain).toMatchObject({ consents: 40, accesses: 120, subjects: 4 });
    expect(report.check).toMatchObject({ checks: 60, allowed: 30 });
    expect(report.replay.consent.blocks).toBe(report.replay.transfer.blocks);
    expect(report.replay.ratio).toBeGreaterThan(0);
    expect(report.check.http.p99Ms).toBeGreaterThanOrEqual(report.check.http.p50Ms);
  });
});
