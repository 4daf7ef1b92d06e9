// State, level and deadline badges: each carries its text and a shape symbol, so colour is
// never the only carrier of meaning.
import { useT, fmtDateTime } from '../i18n';

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
  if (!level) return null;
  const steps = { LOCAL: 1, REGIONAL: 2, NATIONAL: 3, INTERNATIONAL: 4 }[level] ?? 0;
  return (
    <span class={`badge level level-${level.toLowerCase()}`} data-level={level}>
      <span aria-hidden="true" class="glyph">{'▲'.repeat(Math.max(1, steps))}</span> {n.level(level)}
    </span>
  );
}

export function Deadline({ deadline, state }: { deadline?: string; state?: string }) {
  const { m, lang } = useT();
  if (!deadline || state === 'WAITING') return <span class="muted">{m.none}</span>;
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
