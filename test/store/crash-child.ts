/**
 * Crash-test child: opens a chain on argv[2] and mines small blocks forever (each with a transfer
 * once the miner has funds), printing "ACK <height> <hash>" only after submitBlock resolved, i.e.
 * after the block was fsync'd. The parent SIGKILLs it at random moments.
 */
import { Chain } from '../../src/chain/chain.js';
import { networks } from '../../src/chain/network.js';
import { buildTransfer } from '../../src/chain/signing.js';
import { solveHeader } from '../chain/helpers.js';

const MINER = { privateKey: '42'.repeat(32), publicKey: '' };
const network = networks.test;

async function main(): Promise<void> {
  const { publicKeyOf } = await import('../../src/chain/keys.js');
  MINER.publicKey = publicKeyOf(MINER.privateKey);
  const chain = await Chain.open({ dataDir: process.argv[2]!, network, now: () => network.genesis.header.time + 1_000_000 });
  process.stdout.write(`OPEN ${chain.tip().height} ${chain.recovery.truncatedBytes}\n`);
  for (;;) {
    const tip = chain.tip();
    const account = chain.account(MINER.publicKey);
    if (account.balance > 10_000) {
      chain.acceptTransaction(
        buildTransfer({ network, privateKey: MINER.privateKey, sequence: account.pendingSequence, fee: 100, recipient: '77'.repeat(32), amount: 1 + tip.height }),
      );
    }
    const block = chain.template(MINER.publicKey, { time: tip.header.time + 1 }).blockFor(0, 0);
    solveHeader(block.header);
    const result = await chain.submitBlock(block, 'api');
    if (result.status !== 'accepted') throw new Error(`own block rejected: ${JSON.stringify(result)}`);
    process.stdout.write(`ACK ${result.height} ${result.hash}\n`);
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
