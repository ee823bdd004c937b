// @ts-check
/**
 * Slow steps of an asyncio run (v4): the slow-step threshold over the run (its config, then
 * live changes), the lab's reports of steps that blocked the loop matched to their steps, and
 * the rule for which step counts as slow.
 *
 * What the events say:
 *   aio_blocked  a step that began at t blocked the loop for dur_ns; ongoing: it still does
 *                (the lab's watchdog, while the step runs); else the final report, at its end
 *
 * Rules it keeps: a final report and its step may arrive in either order and are matched by
 * (task, start); a task has at most one ongoing report, dropped once its step or its final
 * report arrives or the task ends, and a late "still blocking" after that changes nothing.
 */
import { byTime, insertSorted, upperBound } from "../core/sorted.js";

/** @typedef {import("./loop.js").AioStep} AioStep */
/** @typedef {import("./loop.js").Sample} Sample */
/**
 * @typedef {object} AioBlocked
 * @property {number} t          when the step began
 * @property {number} task
 * @property {number} dur        ns blocked (so far, while ongoing)
 * @property {string | null} file
 * @property {number | null} line
 * @property {string} source     the text of that line
 * @property {boolean} ongoing
 */

/** The key of a step (or of the slow-step report about it). */
const stepKey = (/** @type {number} */ task, /** @type {number} */ t) => `${task}:${t}`;

/** Which steps blocked the loop, by the threshold in force and the lab's reports. */
export class SlowSteps {
  constructor() {
    /** @type {Sample[]} the slow-step threshold in ns from each time on */
    this.thresholds = [];
    /** @type {AioBlocked[]} final reports (ongoing false), by time */
    this.blocked = [];
    /** @type {Map<number, AioBlocked>} per task, the report of a step still blocking the loop */
    this.ongoing = new Map();
    /** @type {Map<string, AioStep>} every step seen, by key */
    this._steps = new Map();
    /** @type {Map<string, AioBlocked>} final reports whose step has not arrived yet */
    this._unmatched = new Map();
    /** @type {Map<number, AioBlocked[]>} per task, its "still blocking" reports as they came */
    this._ongoingReports = new Map();
  }

  /**
   * The threshold the run started with.
   * @param {Record<string, any> | null} config
   */
  configure(config) {
    const ms = config?.slow_step_ms;
    if (typeof ms === "number") insertSorted(this.thresholds, { t: 0, value: ms * 1e6 }, byTime);
  }

  /**
   * A live change of the slow-step threshold.
   * @param {number} t
   * @param {number} ms
   */
  thresholdChanged(t, ms) {
    insertSorted(this.thresholds, { t, value: Number(ms) * 1e6 }, byTime);
  }

  /**
   * The slow-step threshold (ns) in force at t (50 ms when the run never said).
   * @param {number} t
   */
  thresholdAt(t) {
    const i = upperBound(this.thresholds, t, byTime) - 1;
    return i >= 0 ? this.thresholds[i].value : this.thresholds.length ? this.thresholds[0].value : 50e6;
  }

  /**
   * Whether a step blocked the loop: the lab reported it, or it ran longer than the slow-step
   * threshold in force when it ended (the lab checks each step as it ends, with the threshold
   * it has then).
   * @param {AioStep} step
   */
  isSlow(step) {
    return step.blocked !== null || step.dur > this.thresholdAt(step.end);
  }

  /**
   * A step arrived: it takes its final report if that came first, and ends the blocking
   * reported for it.
   * @param {AioStep} step
   */
  stepArrived(step) {
    const key = stepKey(step.task, step.t);
    this._steps.set(key, step);
    const report = this._unmatched.get(key);
    if (report) {
      step.blocked = report;
      this._unmatched.delete(key);
    }
    const open = this.ongoing.get(step.task);
    if (open && open.t === step.t) this.ongoing.delete(step.task);
  }

  /** @param {number} task  a task ended: none of its steps blocks the loop any more */
  taskDone(task) {
    this.ongoing.delete(task);
  }

  /** @param {{t: number, task: number, dur_ns: number, file: string | null, line: number | null, source: string, ongoing: boolean}} ev */
  report(ev) {
    /** @type {AioBlocked} */
    const r = {
      t: ev.t, task: ev.task, dur: ev.dur_ns, file: ev.file ?? null, line: ev.line ?? null,
      source: ev.source ?? "", ongoing: Boolean(ev.ongoing),
    };
    const key = stepKey(r.task, r.t);
    if (r.ongoing) {
      const reports = this._ongoingReports.get(r.task);
      if (reports) reports.push(r);
      else this._ongoingReports.set(r.task, [r]);
      // Only while its step has not been reported: a late "still blocking" changes nothing.
      const prev = this.ongoing.get(r.task);
      if (!this._steps.has(key) && !(prev && prev.t === r.t && prev.dur >= r.dur)) {
        this.ongoing.set(r.task, r);
      }
      return;
    }
    insertSorted(this.blocked, r, byTime);
    const open = this.ongoing.get(r.task);
    if (open && open.t === r.t) this.ongoing.delete(r.task);
    const step = this._steps.get(key);
    if (step) step.blocked = r;
    else this._unmatched.set(key, r);
  }

  /** Take back the threshold the run started with (a replay stepping back to before it). */
  unconfigure() {
    this.thresholds.length = 0;
  }

  /** Take back the newest live change of the threshold. */
  undoThresholdChanged() {
    this.thresholds.pop();
  }

  /**
   * Take back a step (the newest): its final report waits for it again if it came first.
   * @param {AioStep} step
   * @param {boolean} taskDone  whether its task has ended (then nothing of it blocks the loop)
   */
  stepRemoved(step, taskDone) {
    const key = stepKey(step.task, step.t);
    this._steps.delete(key);
    // Reports taken back already (newest first) have cleared `blocked`: one still here came
    // before the step did.
    if (step.blocked !== null) {
      this._unmatched.set(key, step.blocked);
      step.blocked = null;
    }
    this.refoldOngoing(step.task, taskDone);
  }

  /**
   * Take back the newest report of a task.
   * @param {{t: number, task: number, ongoing: boolean}} ev
   * @param {boolean} taskDone
   */
  undoReport(ev, taskDone) {
    const key = stepKey(ev.task, ev.t);
    if (ev.ongoing) {
      this._ongoingReports.get(ev.task)?.pop();
    } else {
      const blocked = this.blocked;
      for (let i = blocked.length - 1; i >= 0; i--) {
        if (blocked[i].task === ev.task && blocked[i].t === ev.t) {
          const r = blocked[i];
          blocked.splice(i, 1);
          const step = this._steps.get(key);
          if (step && step.blocked === r) step.blocked = null;
          else this._unmatched.delete(key);
          break;
        }
      }
    }
    this.refoldOngoing(ev.task, taskDone);
  }

  /**
   * Work out a task's ongoing report again from its reports and what is known now: the last
   * "still blocking" one kept (the longest of its step's), unless that step, its final report
   * or the task's end has arrived.
   * @param {number} task
   * @param {boolean} taskDone
   */
  refoldOngoing(task, taskDone) {
    const reports = this._ongoingReports.get(task) ?? [];
    /** @type {AioBlocked | null} */
    let kept = null;
    for (const r of reports) {
      if (!(kept && kept.t === r.t && kept.dur >= r.dur)) kept = r;
    }
    const key = kept ? stepKey(task, kept.t) : "";
    const over = kept === null || taskDone || this._steps.has(key) ||
      this.blocked.some((b) => b.task === task && b.t === /** @type {AioBlocked} */ (kept).t);
    if (over) this.ongoing.delete(task);
    else this.ongoing.set(task, /** @type {AioBlocked} */ (kept));
  }
}
