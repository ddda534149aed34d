import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Chain } from '../../src/chain/chain.js';
import { networks } from '../../src/chain/network.js';
import { removeTempDirs, tempDir } from '../chain/helpers.js';

afterAll(removeTempDirs);

const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
const KILLS = 20;

interface Run {
  acked: Map<number, string>;
  stderr: string;
}

/** Start the child, SIGKILL it at a random moment (sometimes before it acknowledged anything), collect its ACKs. */
function runAndKill(dataDir: string, rng: () => number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked = new Map<number, string>();
    let stderr = '';
    let buffered = '';
    let timer: NodeJS.Timeout | undefined;
    const killAfter = (ms: number) => {
      if (!timer) timer = setTimeout(() => child.kill('SIGKILL'), ms);
    };
    // A quarter of the kills land during start-up or replay, the rest while blocks are being written.
    const early = rng() < 0.25;
    if (early) killAfter(150 + rng() * 500);
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const [kind, height, hash] = line.split(' ');
        if (kind === 'ACK') acked.set(Number(height), hash!);
        if (kind === 'OPEN') killAfter(rng() * 250);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`child exited by itself (code ${code}): ${stderr}`));
      else resolve({ acked, stderr });
    });
  });
}

describe('crash safety', () => {
  it(`keeps every acknowledged block through ${KILLS} SIGKILLs at random moments`, async () => {
    const dataDir = tempDir();
    let seed = 0x2545f491;
    const rng = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const acked = new Map<number, string>();
    let truncations = 0;
    for (let i = 0; i < KILLS; i++) {
      const run = await runAndKill(dataDir, rng);
      for (const [height, hash] of run.acked) acked.set(height, hash);
      // Reopen as the node would after the crash: replay must succeed and hold every acknowledged block.
      const chain = await Chain.open({ dataDir, network: networks.test, now: () => networks.test.genesis.header.time + 1_000_000 });
      if (chain.recovery.truncatedBytes > 0) truncations++;
      for (const [height, hash] of acked) {
        expect(chain.blockByHeight(height)?.hash, `block ${height} after kill ${i + 1}`).toBe(hash);
      }
      expect(chain.tip().height).toBeGreaterThanOrEqual(Math.max(0, ...acked.keys()));
      await chain.close();
    }
    expect(acked.size).toBeGreaterThan(KILLS); // the runs made real progress
    console.log(`crash test: ${acked.size} acknowledged blocks kept, ${truncations} torn tails repaired`);
  }, 180_000);
});
