import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KernelFlavor } from './kernel.js';

/** The package root: the nearest folder above this file whose package.json names carechain. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'carechain') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the carechain package root');
    dir = parent;
  }
}

/** Where `npm run build:kernel` writes each build of the kernel. */
export function kernelWasmPath(flavor: KernelFlavor): string {
  return join(packageRoot(), 'build', `kernel-${flavor}.wasm`);
}
