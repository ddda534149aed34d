// `npm pack` and `npm publish` run prepack (this), then prepare (`npm run build`): the tarball gets a
// fresh build of dist/ and build/, never the stale output of a source renamed or removed since.
import { rmSync } from 'node:fs';

for (const dir of ['dist', 'build']) rmSync(new URL(`../${dir}`, import.meta.url), { recursive: true, force: true });
