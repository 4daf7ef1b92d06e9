// Application state shared by all views: language, the signed-in user, the configuration and
// the workflow, the live-stream status and a tick that advances on every streamed event (views
// refetch on it), plus the connection/session banners and the polite live-region message.
// A tiny observable store; single-threaded (browser main thread).
import { useEffect, useState } from 'preact/hooks';
import type { ConfigView, User, WorkflowView } from './types';

export type Lang = 'sv' | 'en';
export type LiveStatus = 'off' | 'connecting' | 'open' | 'down';

export interface AppState {
  lang: Lang;
  user: User | null;
  authChecked: boolean;
  config: ConfigView | null;
  /** This region's workflow (GET /v1/workflow): states, transitions, their effects. */
  workflow: WorkflowView | null;
  live: LiveStatus;
  liveTick: number;
  /**
   * Case id → Date.now() when the stream said the case moved to a state outside the queue
   * states (claimed by someone, withdrawn, ...): actor queues hide it before the refetch returns.
   */
  leftQueueAt: Record<string, number>;
  offline: boolean;
  sessionExpired: boolean;
  announcement: string;
  a11yEmail: string;
}

function initialLang(): Lang {
  try {
    const v = localStorage.getItem('tillvaxt.lang');
    if (v === 'en' || v === 'sv') return v;
  } catch { /* storage may be disabled */ }
  return 'sv';
}

function a11yEmail(): string {
  const meta = document.querySelector('meta[name="tillvaxt-a11y-email"]');
  return meta?.getAttribute('content') || 'tillganglighet@regionsormland.se';
}

let state: AppState = {
  lang: initialLang(),
  user: null,
  authChecked: false,
  config: null,
  workflow: null,
  live: 'off',
  liveTick: 0,
  leftQueueAt: {},
  offline: false,
  sessionExpired: false,
  announcement: '',
  a11yEmail: a11yEmail(),
};
const listeners = new Set<() => void>();

export const getState = (): AppState => state;

export function setState(patch: Partial<AppState>): void {
  state = { ...state, ...patch };
  listeners.forEach((l) => l());
}

export function useAppState(): AppState {
  const [, force] = useState(0);
  useEffect(() => {
    const l = () => force((n) => n + 1);
    listeners.add(l);
    return () => { listeners.delete(l); };
  }, []);
  return state;
}

let announceSeq = 0;
/** Says a message through the polite aria-live region (and shows it as a status line). */
export function announce(message: string): void {
  // Re-setting the same text is not announced by screen readers; add an invisible difference.
  announceSeq++;
  setState({ announcement: message + (announceSeq % 2 ? '' : '\u200b') });
}

export function setLang(lang: Lang): void {
  try { localStorage.setItem('tillvaxt.lang', lang); } catch { /* ignore */ }
  document.documentElement.lang = lang;
  setState({ lang });
}
