/**
 * Applies immer's JSON patches to the page's copy of the live model. The
 * page script embeds this very function (its source, by `toString()`), and
 * the property test runs it in Node, so what the browser does is what is
 * tested. It uses nothing a current browser lacks, and no helper a compiler
 * could add.
 *
 * It changes `root` in place (the page keeps one copy and re-renders) and
 * refuses a path through `__proto__`, `constructor` or `prototype`: the
 * server's keys never are one, and a page must not be made to write
 * Object.prototype whatever arrives.
 */
type Json = unknown;
interface JsonPatch {
  op: 'add' | 'replace' | 'remove';
  path: (string | number)[];
  value?: Json;
}

export function applyModelPatches(root: Record<string, Json>, patches: readonly JsonPatch[]): void {
  for (let i = 0; i < patches.length; i++) {
    const patch = patches[i];
    const path = patch.path;
    if (path.length === 0) throw new Error('a patch of the whole model');
    let parent: any = root;
    for (let j = 0; j < path.length; j++) {
      const segment = String(path[j]);
      if (segment === '__proto__' || segment === 'constructor' || segment === 'prototype') throw new Error('refused patch path ' + segment);
      if (j < path.length - 1) {
        parent = parent[path[j]];
        if (parent === null || typeof parent !== 'object') throw new Error('patch path not found: ' + path.join('/'));
      }
    }
    const key: any = path[path.length - 1];
    if (Array.isArray(parent)) {
      const index = key === '-' ? parent.length : Number(key);
      if (patch.op === 'add') parent.splice(index, 0, patch.value);
      else if (patch.op === 'remove') parent.splice(index, 1);
      else if (key === 'length') parent.length = patch.value as number;
      else parent[index] = patch.value;
    } else if (patch.op === 'remove') {
      delete parent[key];
    } else {
      parent[key] = patch.value;
    }
  }
}
