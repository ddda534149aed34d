import { cpSync } from 'node:fs';
import { generateKeyPair, type KeyPair } from '../../src/chain/keys.js';
import { buildTransfer } from '../../src/chain/signing.js';
import { txidHex } from '../../src/chain/tx.js';
import { mineNext, openChain, tempDir, testNet } from '../chain/helpers.js';

/** A data dir holding a chain built in-process (pure-JS miner, blocks one second apart), and what is in it. */
export interface ChainFixture {
  dataDir: string;
  height: number;
  tip: string;
  /** The key that mined every block and signed every transfer. */
  miner: KeyPair;
  /** Its next unused sequence number. */
  nextSequence: number;
  txids: string[];
}

/** `blocks` blocks, with `txsPerBlock` signed transfers in each block once the first reward has matured. */
export async function buildChainFixture(blocks: number, txsPerBlock: number): Promise<ChainFixture> {
  const dataDir = tempDir();
  const miner = generateKeyPair();
  const payee = generateKeyPair().publicKey;
  const chain = await openChain({ dataDir });
  const txids: string[] = [];
  let sequence = 0;
  try {
    for (let height = 1; height <= blocks; height++) {
      if (height > testNet.coinbaseMaturity + 1) {
        for (let i = 0; i < txsPerBlock; i++) {
          const tx = buildTransfer({ network: testNet, privateKey: miner.privateKey, sequence: sequence++, fee: 500, recipient: payee, amount: 1 + i });
          const result = chain.acceptTransaction(tx);
          if (!result.accepted) throw new Error(`fixture transfer refused: ${result.reason}`);
          txids.push(txidHex(tx));
        }
      }
      await mineNext(chain, { recipient: miner.publicKey });
    }
    const tip = chain.tip();
    return { dataDir, height: tip.height, tip: tip.hash, miner, nextSequence: sequence, txids };
  } finally {
    await chain.close();
  }
}

/** A copy of a fixture's data dir, for another node to serve the same chain. */
export function copyDataDir(dir: string): string {
  const copy = tempDir();
  cpSync(dir, copy, { recursive: true });
  return copy;
}
