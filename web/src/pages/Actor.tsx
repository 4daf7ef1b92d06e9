// An actor's views: "Att ta" (GET /v1/cases?candidate=me&state=MATCHED), each case with why
// it matched this actor and claim/decline at hand; and "Mina ärenden" (assignee=me).
// A case claimed by another actor disappears as soon as the stream says CLAIMED.
import { useState } from 'preact/hooks';
import { get, caseAction, ApiError } from '../api';
import { useT, fmt } from '../i18n';
import { useAppState, announce } from '../store';
import { useResource } from '../resource';
import { navigate } from '../router';
import type { Case, CaseList } from '../types';
import { num, OPEN_STATES } from '../types';
import { StateBadge, LevelBadge, Deadline } from '../components/Badges';
import { Loading, LoadError } from '../components/Status';
import { Alert } from '../components/Field';
import { ActionDialog } from '../components/ActionDialog';
import { MatchReasons } from './Case';
import { CaseTable } from './Cases';

export function QueuePage() {
  const { m, n, e } = useT();
  const st = useAppState();
  const u = st.user!;
  const res = useResource((s) => get<CaseList>('/v1/cases', { candidate: 'me', state: 'MATCHED', pageSize: 500 }, s), 'queue');
  const [busy, setBusy] = useState<string | null>(null);
  const [msg, setMsg] = useState<{ kind: 'error' | 'success'; text: string } | null>(null);
  const [decline, setDecline] = useState<Case | null>(null);

  const cases = (res.data?.cases ?? []).filter((c) => !(st.claimedAt[c.id] > res.fetchedAt) && c.state === 'MATCHED');

  const claim = async (c: Case) => {
    setBusy(c.id);
    setMsg(null);
    try {
      await caseAction<Case>(c.id, 'claim', { expectedVersion: String(num(c.version)) });
      announce(m.claimed);
      navigate(`/cases/${encodeURIComponent(c.id)}`);
    } catch (x) {
      const a = x as ApiError;
      if (a.isUnauthenticated) return;
      const text = a.isConflict ? m.claimLost : a.isNetwork ? m.offline : a.message;
      setMsg({ kind: 'error', text });
      announce(text);
      res.reload();
    } finally {
      setBusy(null);
    }
  };

  return (
    <div class="page">
      <h1>{m.queueTitle}</h1>
      <p class="lead">{fmt(m.queueIntro, { actor: n.actor(u.actor) })}</p>
      <div aria-live="polite" class="status-area">{msg && <Alert kind={msg.kind}>{msg.text}</Alert>}</div>
      {res.error && <LoadError error={res.error} retry={res.reload} />}
      {!res.data && !res.error ? <Loading /> : cases.length === 0 ? <p class="empty">{m.queueEmpty}</p> : (
        <ul class="queue plain" aria-label={m.queueTitle}>
          {cases.map((c) => {
            const mine = (c.matches ?? []).find((x) => x.actor === u.actor);
            return (
              <li key={c.id} class="card queue-item" data-case-id={c.id}>
                <div class="queue-head">
                  <h2 class="h3"><a href={`/cases/${encodeURIComponent(c.id)}`}>{c.title || c.id}</a></h2>
                  <div class="badges"><StateBadge state={c.state} /> <LevelBadge level={c.level} /></div>
                </div>
                {c.description && <p class="description clamp">{c.description}</p>}
                <dl class="details compact">
                  <dt>{m.fNeeds}</dt><dd>{(c.needs ?? []).map(n.need).join(', ') || m.none}</dd>
                  <dt>{m.fAreas}</dt><dd>{(c.areas ?? []).map(n.area).join(', ') || m.none}</dd>
                  <dt>{m.fNode}</dt><dd>{n.node(c.node)}{c.company?.municipality ? ` · ${c.company.municipality}` : ''}</dd>
                  {c.company?.size && <><dt>{m.fSize}</dt><dd>{e.size[c.company.size] ?? c.company.size}</dd></>}
                  <dt>{m.fDeadline}</dt><dd><Deadline deadline={c.deadline} state={c.state} /></dd>
                </dl>
                {mine && (mine.reasons?.length ?? 0) > 0 && (
                  <div class="why">
                    <h3 class="h4">{m.whyMatched}</h3>
                    <MatchReasons match={mine} n={n} />
                  </div>
                )}
                <div class="action-buttons">
                  {(c.allowedActions ?? ['claim']).includes('claim') && (
                    <button type="button" class="primary" data-action="claim" disabled={busy === c.id} onClick={() => claim(c)}
                      aria-label={`${n.action('claim')}: ${c.title || c.id}`}>{n.action('claim')}</button>
                  )}
                  {(c.allowedActions ?? ['decline']).includes('decline') && (
                    <button type="button" class="secondary" data-action="decline" onClick={() => setDecline(c)}
                      aria-label={`${n.action('decline')}: ${c.title || c.id}`}>{n.action('decline')}</button>
                  )}
                </div>
              </li>
            );
          })}
        </ul>
      )}
      {decline && (
        <ActionDialog c={decline} verb="decline" suggested={[]} onClose={() => setDecline(null)}
          onDone={(verb, err) => {
            setDecline(null);
            if (err) setMsg({ kind: 'error', text: err.isConflict ? m.conflict : err.message });
            else { setMsg({ kind: 'success', text: fmt(m.actionDone, { action: n.action(verb) }) }); announce(fmt(m.actionDone, { action: n.action(verb) })); }
            res.reload();
          }} />
      )}
    </div>
  );
}

export function MinePage() {
  const { m } = useT();
  const [showClosed, setShowClosed] = useState(false);
  const res = useResource((s) => get<CaseList>('/v1/cases', { assignee: 'me', pageSize: 500 }, s), 'mine');
  const all = res.data?.cases ?? [];
  const cases = showClosed ? all : all.filter((c) => OPEN_STATES.includes(c.state ?? '') || c.state === 'RESOLVED');
  return (
    <div class="page">
      <h1>{m.mineTitle}</h1>
      <div class="check inline-check">
        <input type="checkbox" id="show-closed" checked={showClosed} onChange={(ev) => setShowClosed((ev.currentTarget as HTMLInputElement).checked)} />
        <label for="show-closed">{m.showClosed}</label>
      </div>
      {res.error && <LoadError error={res.error} retry={res.reload} />}
      {!res.data && !res.error ? <Loading /> : cases.length === 0 ? <p class="empty">{m.mineEmpty}</p> : <CaseTable cases={cases} caption={m.mineTitle} />}
    </div>
  );
}

