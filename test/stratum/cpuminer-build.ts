import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedPath } from './vectors.js';

const ARCHIVE = 'pooler-cpuminer-5f02105.tar.gz';
const TOOLS = ['tar', 'gcc', 'make', 'autoconf', 'automake', 'aclocal', 'pkg-config'];

/** Why pooler's cpuminer cannot be built here, or null when it can (the archive and Debian's build tools are present). */
export function cpuminerUnavailable(): string | null {
  if (!sharedPath('tools', ARCHIVE)) return `../shared/tools/${ARCHIVE} is missing`;
  const missing = TOOLS.filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
  if (missing.length) return `build tools missing: ${missing.join(', ')} (apt-get install build-essential automake autoconf pkg-config libcurl4-openssl-dev libjansson-dev)`;
  for (const lib of ['libcurl', 'jansson']) {
    if (spawnSync('pkg-config', ['--exists', lib]).status !== 0) return `${lib} development files missing (libcurl4-openssl-dev libjansson-dev)`;
  }
  return null;
}

/**
 * Build minerd from the archive in a temporary folder, as ../shared/tools/README.md says, and keep
 * the binary under os.tmpdir() keyed by the archive's hash, so later runs skip the build.
 */
export function buildCpuminer(): string {
  const archive = sharedPath('tools', ARCHIVE)!;
  const digest = createHash('sha256').update(readFileSync(archive)).digest('hex').slice(0, 16);
  const cached = join(tmpdir(), `carechain-cpuminer-${digest}`, 'minerd');
  if (existsSync(cached)) return cached;
  const work = mkdtempSync(join(tmpdir(), 'carechain-cpuminer-build-'));
  try {
    run('tar', ['xzf', archive, '-C', work], work);
    const src = join(work, 'cpuminer');
    run('./autogen.sh', [], src);
    run('./configure', ['CFLAGS=-O2'], src);
    run('make', ['-j2'], src);
    mkdirSync(join(cached, '..'), { recursive: true });
    const partial = `${cached}.${process.pid}`;
    copyFileSync(join(src, 'minerd'), partial);
    renameSync(partial, cached); // whole or absent, even if two runs build at once
    return cached;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function run(command: string, args: string[], cwd: string): void {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 300_000 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${(result.stdout + result.stderr).slice(-3000)}`);
}
