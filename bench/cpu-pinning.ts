// CPU affinity for the network benchmarks: on a small machine the processes of a benchmark share the
// cores with the miner they measure, and the miner would lose to them, not to the work measured.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

/** The miner's cores and the others' (for the peer and the load generator), or null when pinning is not possible. */
export interface CpuSplit {
  miner: string;
  others: string;
  minerCores: number;
}

/** All cores but the last for the miner, the last for everything else; null with one core or without taskset. */
export function splitCpus(): CpuSplit | null {
  const cores = availableParallelism();
  if (cores < 2 || !hasTaskset()) return null;
  return { miner: cores === 2 ? '0' : `0-${cores - 2}`, others: String(cores - 1), minerCores: cores - 1 };
}

/** The command line that runs `command args` on `cpus` (taskset execs it: the pid stays the command's). */
export function pinnedCommand(cpus: string | undefined, command: string, args: string[]): [string, string[]] {
  return cpus === undefined ? [command, args] : ['taskset', ['-c', cpus, command, ...args]];
}

/** Move every thread of this process onto `cpus`. */
export function pinThisProcess(cpus: string): void {
  const result = spawnSync('taskset', ['-a', '-p', '-c', cpus, String(process.pid)], { stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`taskset could not pin this process to CPUs ${cpus}`);
}

/** Every core again. */
export function unpinThisProcess(): void {
  spawnSync('taskset', ['-a', '-p', '-c', `0-${availableParallelism() - 1}`, String(process.pid)], { stdio: 'ignore' });
}

function hasTaskset(): boolean {
  return spawnSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' }).status === 0;
}
