import type { HashRateWindows, NodeStatsSource, WorkerHashCount } from '../../src/metrics/stats-source.js';

/** A stats source whose readings the test sets directly, as the node's miner and chain would. */
export class FakeStatsSource implements NodeStatsSource {
  workers: WorkerHashCount[] = [];
  rates: HashRateWindows = { '10s': null, '60s': null, '15m': null };
  height = 0;
  difficultyValue = 1;
  mempoolSize = { transactions: 0, bytes: 0, minFeeRate: 0, held: 0 };
  workerCount = 0;
  stratumSessions?: () => number;
  failing = new Set<keyof NodeStatsSource>();

  workerHashes() {
    this.#maybeFail('workerHashes');
    return this.workers;
  }
  hashRates() {
    this.#maybeFail('hashRates');
    return this.rates;
  }
  chainHeight() {
    this.#maybeFail('chainHeight');
    return this.height;
  }
  difficulty() {
    this.#maybeFail('difficulty');
    return this.difficultyValue;
  }
  mempool() {
    this.#maybeFail('mempool');
    return this.mempoolSize;
  }
  miningWorkers() {
    this.#maybeFail('miningWorkers');
    return this.workerCount;
  }

  #maybeFail(name: keyof NodeStatsSource): void {
    if (this.failing.has(name)) throw new Error(`${name} is broken`);
  }
}
