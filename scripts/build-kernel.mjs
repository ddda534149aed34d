// `npm run build:kernel`: generate the scan loop body, then compile the kernel twice with asc —
// once with WebAssembly SIMD (4 lanes) and once without (scalar) — into build/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateHeaderScan } from './kernel-codegen.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { source, counts } = generateHeaderScan();
mkdirSync(join(root, 'assembly/generated'), { recursive: true });
writeFileSync(join(root, 'assembly/generated/header-scan.ts'), source);
console.log(`kernel: generated header scan, ${counts.perNonceOps} ops per nonce step, ${counts.perHeaderSlots} per-header words`);

const asc = join(root, 'node_modules/assemblyscript/bin/asc.js');
const common = ['assembly/index.ts', '--runtime', 'stub', '-O3', '--noAssert', '--converge', '--use', 'abort='];
for (const [flavor, flags] of [['simd', ['--enable', 'simd']], ['scalar', ['--disable', 'simd']]]) {
  const outFile = `build/kernel-${flavor}.wasm`;
  execFileSync(process.execPath, [asc, ...common, ...flags, '--outFile', outFile], { cwd: root, stdio: 'inherit' });
  console.log(`kernel: built ${outFile}`);
}
