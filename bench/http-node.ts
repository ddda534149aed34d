// A node of its own for `bench http` when no --url is given: the test network in a temporary data
// directory, mining on every core, with the caller's extra flags (the load scenarios turn the rate
// limit and the per-client connection cap off: the load would be 429s and shed sockets otherwise).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildTransfer } from '../src/chain/signing.js';
import { generateKeyPair } from '../src/chain/keys.js';
import { networks } from '../src/chain/network.js';
import { encodeTx } from '../src/chain/tx.js';

export interface BenchNode {
  url: string;
  stop(): Promise<void>;
}

/** Start `carechain start` from this build (dist or, under tsx, the sources) and wait until it listens. */
export async function startBenchNode(flags: readonly string[] = ['--rate-limit', '0'], existingDataDir?: string): Promise<BenchNode> {
  const dataDir = existingDataDir ?? mkdtempSync(join(tmpdir(), 'carechain-bench-http-'));
  const main = fileURLToPath(new URL('../src/cli/main.js', import.meta.url)).replace(/\.js$/, import.meta.url.endsWith('.ts') ? '.ts' : '.js');
  const loader = main.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...loader, main, 'start', '--network', 'test', '--data', dataDir, '--port', '0', '--stratum-port', '0', '--p2p-port', '0', ...flags], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await listeningUrl(child);
  return {
    url,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      if (!existingDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`the bench node did not start listening:\n${output}`)), 60_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /http: listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the bench node exited (code ${code}) before listening:\n${output}`));
    });
  });
}

/**
 * Signed transfers from fresh, unfunded keys: each one is decoded and its Ed25519 signature checked
 * before the ledger refuses it (insufficient-funds, 422), so the load exercises the whole admission
 * path short of the mempool and its journal.
 */
export function unfundedTransfers(count: number): string[] {
  const recipient = generateKeyPair().publicKey;
  return Array.from({ length: count }, () => {
    const key = generateKeyPair();
    const tx = buildTransfer({ network: networks.test, privateKey: key.privateKey, sequence: 0, fee: 1000, recipient, amount: 1 });
    return Buffer.from(encodeTx(tx)).toString('hex');
  });
}
