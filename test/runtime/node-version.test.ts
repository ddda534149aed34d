import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const PINNED_BINARY = join(ROOT, 'node_modules', '.bin', 'node');

/** The project pins Node 24 through the registry's `node` package; a broken pin must fail here, not in production. */
describe('the runtime', () => {
  it('is Node.js 22 or later (libp2p needs Promise.withResolvers)', () => {
    const major = Number(process.versions.node.split('.')[0]);
    expect(major).toBeGreaterThanOrEqual(22);
    expect(typeof Promise.withResolvers).toBe('function');
  });

  it.skipIf(!existsSync(PINNED_BINARY))('is the pinned binary from node_modules, at the version package.json asks for', () => {
    const pinned = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'node', 'package.json'), 'utf8')) as { version: string };
    const wanted = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies['node'];
    expect(wanted).toMatch(/^\^?24\./);
    expect(process.version).toBe(`v${pinned.version}`);
    expect(realpathSync(process.execPath)).toBe(realpathSync(PINNED_BINARY));
  });

  it('is what worker threads run on too', async () => {
    const worker = new Worker("require('node:worker_threads').parentPort.postMessage(process.version)", { eval: true });
    const version = await new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject));
    await worker.terminate();
    expect(version).toBe(process.version);
  });
});
