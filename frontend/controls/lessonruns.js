// @ts-check
/**
 * Which run is which lesson's: a lesson's Run expects the next new run to be its own (the server
 * names a run only once it starts); the pairs are kept in the browser's storage, so a lesson's
 * recording opened later from the library, or after a reload, still shows its lesson.
 *
 * Rules it keeps:
 * - An expectation is claimed by the first run that appears after it, within EXPECT_MS, and only
 *   once; a refused start withdraws it, so an unrelated later run is never taken for the lesson's.
 * - At most KEEP pairs are kept (the oldest go first); storage that cannot be written (private
 *   mode, full) only costs the memory of past runs, never the page.
 */

/** How long after a lesson's Run its run may appear and still be taken for the lesson's. */
export const EXPECT_MS = 15000;
/** How many run → lesson pairs the browser keeps. */
export const KEEP = 200;
const KEY = "schedviz.lessonRuns";

/** The run → lesson pairs of this browser. */
export class LessonRuns {
  /**
   * @param {Pick<Storage, "getItem" | "setItem"> | null} storage
   * @param {() => number} [now]
   */
  constructor(storage, now = () => performance.now()) {
    this.storage = storage;
    this.now = now;
    /** @type {{lesson: string, at: number} | null} */
    this.expected = null;
    /** @type {[string, string][]} run id, lesson id; oldest first */
    this.pairs = [];
    try {
      const saved = JSON.parse(storage?.getItem(KEY) ?? "[]");
      if (Array.isArray(saved)) this.pairs = saved.filter((p) => Array.isArray(p) && p.length === 2).map((p) => [String(p[0]), String(p[1])]);
    } catch {
      this.pairs = [];
    }
  }

  /**
   * The next run to appear is lesson `lessonId`'s.
   * @param {string} lessonId
   */
  expect(lessonId) {
    this.expected = { lesson: lessonId, at: this.now() };
  }

  /** The start was refused: no run is coming. */
  withdraw() {
    this.expected = null;
  }

  /**
   * A run appeared: it takes the expectation if one is open; returns its lesson, if any.
   * @param {string} runId
   * @returns {string | null}
   */
  seen(runId) {
    const known = this.lessonOf(runId);
    if (known) return known;
    const exp = this.expected;
    if (!exp || this.now() - exp.at > EXPECT_MS) return null;
    this.expected = null;
    this.remember(runId, exp.lesson);
    return exp.lesson;
  }

  /**
   * Run `runId` is lesson `lessonId`'s (e.g. the address says so).
   * @param {string} runId
   * @param {string} lessonId
   */
  remember(runId, lessonId) {
    this.pairs = this.pairs.filter(([r]) => r !== runId);
    this.pairs.push([runId, lessonId]);
    if (this.pairs.length > KEEP) this.pairs.splice(0, this.pairs.length - KEEP);
    try {
      this.storage?.setItem(KEY, JSON.stringify(this.pairs));
    } catch {
      // Not saved: this page still knows it; a reload will not.
    }
  }

  /**
   * @param {string | null} runId
   * @returns {string | null} the lesson run `runId` belongs to
   */
  lessonOf(runId) {
    if (!runId) return null;
    return this.pairs.find(([r]) => r === runId)?.[1] ?? null;
  }
}
