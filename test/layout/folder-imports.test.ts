import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

// DESIGN's layout is a stack of folders with one-way arrows: this fails the day two folders of src/
// (or bench/ and one of them) import each other, directly or around a loop.

const ROOT = join(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** src/<folder>/… is that folder; bench/… is "bench". */
function folderOf(path: string): string | undefined {
  const parts = relative(ROOT, path).split(sep);
  if (parts[0] === 'bench') return 'bench';
  return parts[0] === 'src' && parts.length > 2 ? parts[1] : undefined;
}

function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of [...sources(join(ROOT, 'src')), ...sources(join(ROOT, 'bench'))]) {
    const from = folderOf(file)!;
    for (const match of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*['"](\.[^'"]+)['"]/g)) {
      const to = folderOf(normalize(join(dirname(file), match[1]!)));
      if (!to || to === from) continue;
      if (!graph.has(from)) graph.set(from, new Set());
      graph.get(from)!.add(to);
    }
  }
  return graph;
}

function cycles(graph: Map<string, Set<string>>): string[][] {
  const found: string[][] = [];
  const visit = (node: string, path: string[]) => {
    for (const next of graph.get(node) ?? []) {
      if (path.includes(next)) found.push([...path.slice(path.indexOf(next)), next]);
      else visit(next, [...path, next]);
    }
  };
  for (const node of graph.keys()) visit(node, [node]);
  return found;
}

describe('imports between folders', () => {
  it('form no cycle', () => {
    const graph = folderGraph();
    expect(graph.get('cli')?.has('bench')).toBe(true); // the reader sees real edges
    expect(cycles(graph).map((c) => c.join(' -> '))).toEqual([]);
  });

  it('keep the lower layers free of the upper ones', () => {
    const graph = folderGraph();
    for (const low of ['kernel', 'miner', 'chain', 'store', 'http']) {
      const upper = [...(graph.get(low) ?? [])].filter((to) => ['node', 'cli', 'bench', 'net', 'stratum'].includes(to));
      expect([low, upper]).toEqual([low, []]);
    }
  });
});
