import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real small disk for fault injection: a tmpfs of `size` bytes mounted in a temp folder (root
 * only: CI runs as root). Writes past its size fail with ENOSPC, as on a full disk; `fill()` takes
 * all its free space but `leave` bytes, `free()` gives it back.
 */
export interface SmallDisk {
  dir: string;
  fill(leave?: number): void;
  free(): void;
  unmount(): void;
}

/** Why a small disk cannot be made here, or undefined when it can (tests skip with this line). */
export function smallDiskUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root (CI runs as root)';
  try {
    const disk = mountSmallDisk(64 * 1024);
    disk.unmount();
    return undefined;
  } catch (err) {
    return `cannot mount a tmpfs here: ${(err as Error).message.split('\n')[0]}`;
  }
}

export function mountSmallDisk(size: number): SmallDisk {
  const dir = mkdtempSync(join(tmpdir(), 'carechain-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir], { stdio: 'pipe' });
  const filler = join(dir, '.filler');
  return {
    dir,
    fill(leave = 0) {
      const { bavail, bsize } = statfsSync(dir);
      const room = Number(bavail) * Number(bsize) - leave;
      try {
        if (room > 0) writeFileSync(filler, Buffer.alloc(room), { flag: 'a' });
      } catch {
        // full before `room` bytes: that is the point
      }
    },
    free() {
      try {
        unlinkSync(filler);
      } catch {
        // nothing to free
      }
    },
    unmount() {
      try {
        execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
