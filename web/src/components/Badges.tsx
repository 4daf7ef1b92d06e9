// State, level and deadline badges: each carries its text and a shape symbol, so colour is
// never the only carrier of meaning. States of another region's workflow get the plain dot;
// the level's steps are its place on the configured ladder.
import { useT, fmtDateTime } from '../i18n';
import { useAppState } from '../store';

const STATE_GLYPH: Record<string, string> = {
  NEW: '●', TRIAGED: '◆', MATCHED: '◆', CLAIMED: '▶', IN_PROGRESS: '▶', WAITING: '‖',
  RESOLVED: '✓', CLOSED: '■', UNMATCHED: '✕', WITHDRAWN: '✕', REJECTED: '✕',
};

export function StateBadge({ state }: { state?: string }) {
  const { n } = useT();
  if (!state) return null;
  return (
    <span class={`badge state-${state.toLowerCase()}`} data-state={state}>
      <span aria-hidden="true" class="glyph">{STATE_GLYPH[state] ?? '●'}</span> {n.state(state)}
    </span>
  );
}

export function LevelBadge({ level }: { level?: string }) {
  const { n } = useT();
  const ladder = useAppState().config?.levels ?? [];
  if (!level) return null;
  const steps = ladder.indexOf(level) + 1;
  return (
    <span class={`badge level level-${level.toLowerCase()}`} data-level={level}>
      <span aria-hidden="true" class="glyph">{'▲'.repeat(Math.max(1, steps))}</span> {n.level(level)}
    </span>
  );
}

export function Deadline({ deadline, state }: { deadline?: string; state?: string }) {
  const { m, lang } = useT();
  // In a state that pauses the SLA (waiting on the company) the clock stands still.
  const paused = (useAppState().workflow?.states ?? []).some((s) => s.name === state && s.pausesSla);
  if (!deadline || paused) return <span class="muted">{m.none}</span>;
  const t = new Date(deadline).getTime();
  const now = Date.now();
  const overdue = t < now;
  const soon = !overdue && t - now < 24 * 3600 * 1000;
  return (
    <span class={`deadline${overdue ? ' overdue' : soon ? ' soon' : ''}`}>
      <time dateTime={deadline}>{fmtDateTime(deadline, lang)}</time>
      {overdue && <> <span class="tag tag-bad"><span aria-hidden="true">!</span> {m.overdue}</span></>}
      {soon && <> <span class="tag tag-warn">{m.dueSoon}</span></>}
    </span>
  );
}
