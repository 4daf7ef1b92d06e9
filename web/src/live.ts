// Live updates: GET /v1/stream (Server-Sent Events, same-origin cookie). Every committed event
// the user may see advances `liveTick`, and views refetch what they show. A CLAIMED event also
// records the case id so that actor queues drop the case before the refetch returns.
// EventSource reconnects by itself after network errors; when the browser gives up
// (readyState CLOSED, e.g. the server answered 401) we check the session and retry with backoff.
import { getState, setState } from './store';
import { request, ApiError } from './api';

let source: EventSource | null = null;
let retryTimer: number | undefined;
let tickTimer: number | undefined;
let backoff = 1000;

// Names the server may give events (`event:` lines); plain `message` events are handled too.
const EVENT_NAMES = [
  'case', 'event', 'offer', 'CREATED', 'TRIAGED', 'ROUTED', 'ESCALATED', 'UNMATCHED', 'CLAIMED', 'DECLINED', 'RELEASED',
  'REASSIGNED', 'RESOLVED', 'REOPENED', 'FOLLOW_UP_CREATED', 'EFFECT_RECORDED', 'OFFER_LINKED', 'TRANSITIONED',
  'OFFER_PUBLISHED', 'OFFER_WITHDRAWN',
];

function onEvent(ev: MessageEvent): void {
  let type = ev.type !== 'message' ? ev.type : '';
  let caseId = '';
  try {
    const d = JSON.parse(ev.data as string) as Record<string, unknown>;
    const inner = (d.event ?? d) as Record<string, unknown>;
    caseId = String(inner.caseId ?? inner.case_id ?? (d.case as Record<string, unknown> | undefined)?.id ?? '');
    type = String(inner.type ?? type);
  } catch { /* keep-alive or non-JSON: still refetch */ }
  const st = getState();
  if (type === 'CLAIMED' && caseId) setState({ claimedAt: { ...st.claimedAt, [caseId]: Date.now() } });
  // Coalesce bursts (triage emits TRIAGED + ROUTED in one commit) into one refetch.
  if (tickTimer === undefined) {
    tickTimer = window.setTimeout(() => {
      tickTimer = undefined;
      setState({ liveTick: getState().liveTick + 1 });
    }, 120);
  }
}

export function startLive(): void {
  stopLive();
  if (typeof EventSource === 'undefined') return;
  setState({ live: 'connecting' });
  const es = new EventSource('/v1/stream');
  source = es;
  es.onopen = () => {
    backoff = 1000;
    const wasDown = getState().live === 'down';
    setState({ live: 'open' });
    // Events may have been missed while disconnected: refetch.
    if (wasDown) setState({ liveTick: getState().liveTick + 1 });
  };
  es.onmessage = onEvent;
  EVENT_NAMES.forEach((n) => es.addEventListener(n, onEvent as EventListener));
  es.onerror = () => {
    if (source !== es) return;
    setState({ live: 'down' });
    if (es.readyState === EventSource.CLOSED) {
      es.close();
      source = null;
      retryTimer = window.setTimeout(async () => {
        try {
          await request('GET', '/v1/me');
          startLive();
        } catch (e) {
          // 401 is handled globally (session expired banner); keep retrying on network errors.
          if (!(e instanceof ApiError && e.isUnauthenticated)) startLive();
        }
      }, backoff);
      backoff = Math.min(backoff * 2, 30000);
    }
  };
}

export function stopLive(): void {
  if (retryTimer !== undefined) window.clearTimeout(retryTimer);
  retryTimer = undefined;
  if (source) source.close();
  source = null;
  setState({ live: 'off' });
}
