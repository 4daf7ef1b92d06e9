// Live updates: GET /v1/stream (Server-Sent Events, same-origin cookie). Every committed event
// the user may see advances `liveTick`, and views refetch what they show.
//
// The stream names each message after its event type (`event: CLAIMED`, `event: SLA_WARNING`,
// ...). That set is the engine's and grows with it, and the browser's EventSource only
// delivers named messages to listeners registered for each name, so this module reads the
// stream itself (fetch + a small SSE parser) and handles every message, whatever its name.
// What a message means for the queues is read from its data, not its name: an event that puts
// a case in a state outside the workflow's queue states (a claim by someone else, a
// withdrawal) records the case id, so actor queues drop it before the refetch returns.
//
// On a dropped connection it reconnects with backoff and sends `Last-Event-ID`, so the server
// replays what was missed; a 401 is left to the session-expired banner (signing in again
// restarts the stream).
import { getState, setState } from './store';
import { request, ApiError } from './api';
import type { CaseEvent, StreamMessage } from './types';
import { queueStates } from './workflow';

let controller: AbortController | null = null;
let retryTimer: number | undefined;
let tickTimer: number | undefined;
let backoff = 1000;
let lastEventId = '';

function onMessage(msg: StreamMessage): void {
  const ev = msg.data;
  const caseId = ev?.caseId ?? '';
  const to = ev?.toState ?? '';
  if (caseId && to) {
    const inQueue = queueStates(getState().workflow);
    if (inQueue.length && !inQueue.includes(to)) {
      setState({ leftQueueAt: { ...getState().leftQueueAt, [caseId]: Date.now() } });
    }
  }
  // Coalesce bursts (triage emits TRIAGED + ROUTED in one commit) into one refetch.
  if (tickTimer === undefined) {
    tickTimer = window.setTimeout(() => {
      tickTimer = undefined;
      setState({ liveTick: getState().liveTick + 1 });
    }, 120);
  }
}

/**
 * Splits an SSE byte stream into messages (the WHATWG "event stream" format): lines end in
 * LF, CRLF or CR; `event`, `data` (joined with LF) and `id` fields; a blank line dispatches;
 * lines starting with ":" are comments (keep-alives).
 */
export class SseParser {
  private buf = '';
  private event = '';
  private data: string[] = [];
  private id = '';
  constructor(private readonly dispatch: (id: string, event: string, data: string) => void) {}

  push(chunk: string): void {
    this.buf += chunk;
    for (;;) {
      const m = /\r\n|\n|\r/.exec(this.buf);
      // A lone CR at the end may be the first half of CRLF: wait for more.
      if (!m || (m[0] === '\r' && m.index === this.buf.length - 1)) return;
      const line = this.buf.slice(0, m.index);
      this.buf = this.buf.slice(m.index + m[0].length);
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length) this.dispatch(this.id, this.event || 'message', this.data.join('\n'));
      this.event = '';
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const i = line.indexOf(':');
    const field = i < 0 ? line : line.slice(0, i);
    let value = i < 0 ? '' : line.slice(i + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.id = value;
  }
}

async function connect(ctl: AbortController): Promise<void> {
  const headers: Record<string, string> = { Accept: 'text/event-stream' };
  if (lastEventId) headers['Last-Event-ID'] = lastEventId;
  const res = await fetch('/v1/stream', { headers, credentials: 'same-origin', cache: 'no-store', signal: ctl.signal });
  if (res.status === 401) throw new ApiError(401, 'UNAUTHENTICATED', 'session expired');
  if (!res.ok || !res.body) throw new ApiError(res.status, String(res.status), res.statusText);
  backoff = 1000;
  const wasDown = getState().live === 'down';
  setState({ live: 'open' });
  // Events may have been missed while disconnected (the replay covers the case events, a
  // refetch covers everything else).
  if (wasDown) setState({ liveTick: getState().liveTick + 1 });
  const parser = new SseParser((id, event, data) => {
    if (id) lastEventId = id;
    let parsed: CaseEvent | undefined;
    try { parsed = JSON.parse(data) as CaseEvent; } catch { parsed = undefined; }
    onMessage({ id, event, data: parsed });
  });
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    parser.push(value);
  }
}

function run(ctl: AbortController): void {
  connect(ctl).then(
    () => retry(ctl, false),
    (e: unknown) => retry(ctl, e instanceof ApiError && e.isUnauthenticated),
  );
}

function retry(ctl: AbortController, unauthenticated: boolean): void {
  if (controller !== ctl || ctl.signal.aborted) return;
  setState({ live: 'down' });
  retryTimer = window.setTimeout(async () => {
    if (controller !== ctl) return;
    if (unauthenticated) {
      // Let the API client raise the session-expired banner; signing in again calls startLive.
      try { await request('GET', '/v1/me'); } catch (e) { if (e instanceof ApiError && e.isUnauthenticated) return; }
    }
    run(ctl);
  }, backoff);
  backoff = Math.min(backoff * 2, 30000);
}

export function startLive(): void {
  stopLive();
  // A new start (sign-in): views fetch everything afresh, so nothing needs replaying.
  lastEventId = '';
  if (typeof fetch === 'undefined' || typeof TextDecoderStream === 'undefined') return;
  setState({ live: 'connecting' });
  const ctl = new AbortController();
  controller = ctl;
  run(ctl);
}

export function stopLive(): void {
  if (retryTimer !== undefined) window.clearTimeout(retryTimer);
  retryTimer = undefined;
  if (controller) controller.abort();
  controller = null;
  setState({ live: 'off' });
}
