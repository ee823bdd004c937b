// @ts-check
/**
 * The websocket to the server: parses messages, reports its state, and reconnects with
 * exponential back-off (0.5 s doubling to 8 s, with jitter so many viewers do not reconnect in
 * lock-step after a server restart).
 */

/** @typedef {"connecting" | "open" | "waiting"} ConnectionState */
/**
 * @typedef {object} ConnectionHandlers
 * @property {(msg: any) => void} onMessage
 * @property {(state: ConnectionState, retryInMs: number | null) => void} onState
 */

export const FIRST_RETRY_MS = 500;
export const MAX_RETRY_MS = 8000;

/** A websocket that keeps itself connected. */
export class Connection {
  /**
   * @param {string} url
   * @param {ConnectionHandlers} handlers
   */
  constructor(url, handlers) {
    this.url = url;
    this.handlers = handlers;
    /** @type {WebSocket | null} */
    this.ws = null;
    /** @type {ConnectionState} */
    this.state = "connecting";
    this._retryMs = FIRST_RETRY_MS;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this._timer = null;
    this._closed = false;
  }

  /** Open the socket (and keep reopening it until `close`). */
  start() {
    this._closed = false;
    this._connect();
  }

  /** Stop for good (no reconnect). */
  close() {
    this._closed = true;
    if (this._timer) clearTimeout(this._timer);
    this.ws?.close();
  }

  /**
   * Send a control message; returns false when not connected (the caller may use HTTP instead).
   * @param {object} message
   */
  send(message) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  _connect() {
    this._setState("connecting", null);
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      this._retryMs = FIRST_RETRY_MS;
      this._setState("open", null);
    };
    ws.onmessage = (e) => {
      let msg;
      try {
        msg = JSON.parse(e.data);
      } catch {
        return; // A malformed frame is the server's bug; dropping it keeps the view alive.
      }
      this.handlers.onMessage(msg);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this._closed) return;
      const delay = Math.round(this._retryMs * (0.8 + 0.4 * Math.random()));
      this._retryMs = Math.min(MAX_RETRY_MS, this._retryMs * 2);
      this._setState("waiting", delay);
      this._timer = setTimeout(() => this._connect(), delay);
    };
    // Errors are followed by close, which schedules the retry.
    ws.onerror = () => {};
  }

  /**
   * @param {ConnectionState} state
   * @param {number | null} retryInMs
   */
  _setState(state, retryInMs) {
    this.state = state;
    this.handlers.onState(state, retryInMs);
  }
}

/** The /ws URL on the page's own origin. */
export function socketUrl() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/ws`;
}
