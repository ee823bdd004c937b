// @ts-check
/**
 * Sorted-array helpers shared by the model: events arrive almost in time order, so inserting
 * searches from the end first and costs O(1) in the common case, O(log n + shift) otherwise.
 * Also the one fold the facts need when a step back drops their largest item: `maxOf`.
 */

/**
 * The key most lists are sorted by: an item's time.
 * @param {{t: number}} x
 */
export const byTime = (x) => x.t;

/**
 * Index of the first item whose key is >= `value` (items sorted by key ascending).
 * @template T
 * @param {T[]} items
 * @param {number} value
 * @param {(item: T) => number} key
 * @returns {number}
 */
export function lowerBound(items, value, key) {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(items[mid]) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Index of the first item whose key is > `value` (items sorted by key ascending).
 * @template T
 * @param {T[]} items
 * @param {number} value
 * @param {(item: T) => number} key
 * @returns {number}
 */
export function upperBound(items, value, key) {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(items[mid]) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Insert `item` keeping `items` sorted by key; equal keys keep arrival order. Returns the index.
 * @template T
 * @param {T[]} items
 * @param {T} item
 * @param {(item: T) => number} key
 * @returns {number}
 */
export function insertSorted(items, item, key) {
  const k = key(item);
  const n = items.length;
  // Fast path: most events are newer than everything seen so far.
  if (n === 0 || key(items[n - 1]) <= k) {
    items.push(item);
    return n;
  }
  const at = upperBound(items, k, key);
  items.splice(at, 0, item);
  return at;
}

/**
 * Remove `item` (by identity) from `items` sorted by key; returns whether it was found.
 * @template T
 * @param {T[]} items
 * @param {T} item
 * @param {(item: T) => number} key
 * @returns {boolean}
 */
export function removeSorted(items, item, key) {
  const k = key(item);
  for (let i = lowerBound(items, k, key); i < items.length && key(items[i]) === k; i++) {
    if (items[i] === item) {
      items.splice(i, 1);
      return true;
    }
  }
  return false;
}

/**
 * The largest key of the items, 0 for none.
 * @template T
 * @param {Iterable<T>} items
 * @param {(item: T) => number} key
 */
export function maxOf(items, key) {
  let max = 0;
  for (const item of items) if (key(item) > max) max = key(item);
  return max;
}
