// One-to-one matching: the Hungarian algorithm (Kuhn–Munkres with row and column potentials,
// O(n²·m)) for a rectangular cost matrix, and the maximum-similarity matching built on it.

/**
 * Minimum-cost assignment of rows to distinct columns. With n rows and m columns, min(n, m) pairs
 * are made; `result[row]` is its column or −1 when the row is left over (n > m).
 */
export function minCostAssignment(cost: readonly (readonly number[])[]): number[] {
  const n = cost.length;
  if (n === 0) return [];
  const m = cost[0].length;
  for (const row of cost) {
    if (row.length !== m) throw new RangeError(`minCostAssignment: rows have ${m} and ${row.length} columns`);
    for (const v of row) if (!Number.isFinite(v)) throw new RangeError(`minCostAssignment: cost ${v} is not finite`);
  }
  if (m === 0) return new Array<number>(n).fill(-1);
  if (n <= m) return solve(cost, n, m);
  // More rows than columns: assign columns to rows on the transpose, then invert.
  const t = Array.from({ length: m }, (_, j) => Array.from({ length: n }, (_, i) => cost[i][j]));
  const colToRow = solve(t, m, n);
  const out = new Array<number>(n).fill(-1);
  colToRow.forEach((i, j) => (out[i] = j));
  return out;
}

/** n ≤ m. Rows and columns are 1-based inside; column 0 is the virtual start of each augmenting path. */
function solve(a: readonly (readonly number[])[], n: number, m: number): number[] {
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const rowOf = new Int32Array(m + 1); // rowOf[j]: the row holding column j, 0 = free
  const way = new Int32Array(m + 1); // previous column on the shortest augmenting path
  for (let i = 1; i <= n; i++) {
    rowOf[0] = i;
    let j0 = 0;
    const minv = new Float64Array(m + 1).fill(Infinity);
    const used = new Uint8Array(m + 1);
    do {
      used[j0] = 1;
      const i0 = rowOf[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const reduced = a[i0 - 1][j - 1] - u[i0] - v[j];
        if (reduced < minv[j]) {
          minv[j] = reduced;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[rowOf[j]] += delta;
          v[j] -= delta;
        } else minv[j] -= delta;
      }
      j0 = j1;
    } while (rowOf[j0] !== 0);
    // Flip the augmenting path back to its start.
    do {
      const j1 = way[j0];
      rowOf[j0] = rowOf[j1];
      j0 = j1;
    } while (j0 !== 0);
  }
  const out = new Array<number>(n).fill(-1);
  for (let j = 1; j <= m; j++) if (rowOf[j] > 0) out[rowOf[j] - 1] = j - 1;
  return out;
}

/** The one-to-one matching with the largest total similarity: pairs [row, column], in row order. */
export function maxSimilarityMatching(similarity: readonly (readonly number[])[]): [number, number][] {
  const assign = minCostAssignment(similarity.map((row) => row.map((s) => -s)));
  return assign.flatMap((j, i) => (j >= 0 ? [[i, j] as [number, number]] : []));
}
