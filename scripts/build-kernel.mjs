// `npm run build:kernel`: generate the SHA-256 constants and the scan loop body, then compile the
// kernel twice with asc — once with WebAssembly SIMD (4 lanes) and once without (scalar) — into
// build/ (targets of asconfig.json).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateHeaderScan, generateSha256Constants } from './kernel-codegen.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { source, counts } = generateHeaderScan();
mkdirSync(join(root, 'assembly/generated'), { recursive: true });
writeFileSync(join(root, 'assembly/generated/sha256-constants.ts'), generateSha256Constants());
writeFileSync(join(root, 'assembly/generated/header-scan.ts'), source);
console.log(`kernel: generated header scan, ${counts.perNonceOps} ops per nonce step, ${counts.perHeaderSlots} per-header words`);

const asc = join(root, 'node_modules/assemblyscript/bin/asc.js');
// asconfig.json holds the compiler options and the two targets (outFile, SIMD on or off).
for (const target of ['simd', 'scalar']) {
  execFileSync(process.execPath, [asc, '--config', 'asconfig.json', '--target', target], { cwd: root, stdio: 'inherit' });
  console.log(`kernel: built build/kernel-${target}.wasm`);
}
