import type { Chain } from '../chain/chain.js';
import type { BlockSource } from '../chain/chain-types.js';
import type { EventRecorder } from '../metrics/event-recorder.js';
import type { JobSwitch, WorkerDeath } from '../miner/pool-types.js';
import type { MinerPool } from '../miner/pool.js';
import type { TxAdmission } from './admission.js';
import type { Logger } from './log.js';

/**
 * Chain and miner events into the metrics (and the log, for the ones a person should see): reorgs
 * and their depth, when the tip last changed, block intervals, block and transaction rejections,
 * job-switch latency, worker deaths.
 * Returns a function that unsubscribes.
 */
export function recordNodeEvents(chain: Chain, pool: MinerPool | null, metrics: EventRecorder, log: Logger, now = () => performance.now()): () => void {
  // The interval is measured as the node saw it (acceptance times), not from header times a miner chooses.
  let lastTipAt: number | undefined;
  const onTip = (tip: { height: number; reorgDepth: number; hash: string }) => {
    const at = now();
    if (lastTipAt !== undefined) metrics.blockInterval((at - lastTipAt) / 1000);
    lastTipAt = at;
    metrics.tipChanged();
    if (tip.reorgDepth > 0) {
      metrics.reorg(tip.reorgDepth);
      log.warn(`chain: reorg of ${tip.reorgDepth} block(s), new tip ${tip.height} ${tip.hash}`);
    }
  };
  // Each block is counted once, here, whoever submitted it.
  const onBlock = (b: { outcome: string; source: BlockSource }) => {
    if (b.source === 'miner') metrics.blockMined();
    if (b.outcome !== 'side-branch') metrics.blockAccepted(b.source);
  };
  const onBlockRejected = (e: { reason: string }) => metrics.blockRejected(e.reason);
  const onTxRejected = (e: { reason: string }) => metrics.transactionRejected(e.reason);
  const onSwitch = (s: JobSwitch) => metrics.jobSwitched(s.ms / 1000);
  const onDeath = (d: WorkerDeath) =>
    log.warn(`miner: worker ${d.slot} died (exit ${d.exitCode}${d.error ? `: ${d.error.message}` : ''})${d.replaced ? ', replaced' : ', not replaced'}`);
  const onInvalid = () => log.error('miner: a worker reported a solution that does not meet the target (kernel bug?)');

  // The tip loaded from disk is this node's from now on: "no new tip for N seconds" counts from start.
  metrics.tipChanged();
  chain.on('block', onBlock);
  chain.on('tip', onTip);
  chain.on('block-rejected', onBlockRejected);
  chain.on('tx-rejected', onTxRejected);
  pool?.on('jobSwitch', onSwitch);
  pool?.on('workerDied', onDeath);
  pool?.on('invalidSolution', onInvalid);
  return () => {
    chain.off('block', onBlock);
    chain.off('tip', onTip);
    chain.off('block-rejected', onBlockRejected);
    chain.off('tx-rejected', onTxRejected);
    pool?.off('jobSwitch', onSwitch);
    pool?.off('workerDied', onDeath);
    pool?.off('invalidSolution', onInvalid);
  };
}

/** The admission path's events into the metrics: rejections by reason, evictions, journal write failures. */
export function recordAdmissionEvents(admission: TxAdmission, metrics: EventRecorder): () => void {
  const onRejected = (e: { reason: string }) => metrics.transactionRejected(e.reason);
  const onEvicted = () => metrics.transactionEvicted();
  const onFailed = () => metrics.storageWriteFailed('journal');
  admission.on('rejected', onRejected);
  admission.on('evicted', onEvicted);
  admission.on('storage-failed', onFailed);
  return () => {
    admission.off('rejected', onRejected);
    admission.off('evicted', onEvicted);
    admission.off('storage-failed', onFailed);
  };
}
