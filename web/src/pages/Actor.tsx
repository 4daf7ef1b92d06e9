// An actor's views: "Att ta", the cases this actor is a candidate for in the states a claim
// can leave from (read from the workflow: MATCHED in the shipped ones), each with why it
// matched this actor and the claim and decline transitions at hand; and "Mina ärenden"
// (assignee=me). A case the stream reports in a state outside the queue (another actor
// claimed it) disappears at once, before the refetch.
import { useState } from 'preact/hooks';
import { get, caseAction, ApiError } from '../api';
import { useT, fmt } from '../i18n';
import { useAppState, announce } from '../store';
import { useResource } from '../resource';
import { navigate } from '../router';
import type { Case, CaseList } from '../types';
import { num, caseId } from '../types';
import { queueStates, transitionsWith, needsDialog, liveStates } from '../workflow';
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
  const wf = st.workflow;
  const states = queueStates(wf);
  // One list per queue state (the API filters by one state), merged newest first.
  const res = useResource(
    (s) => Promise.all(states.map((state) => get<CaseList>('/v1/cases', { candidate: 'me', state, pageSize: 500 }, s)))
      .then((lists) => lists.flatMap((l) => l.cases ?? []).sort((a, b) => (b.createTime ?? '').localeCompare(a.createTime ?? ''))),
    `queue:${states.join(',')}`,
    { enabled: !!wf },
  );
  const [busy, setBusy] = useState<string | null>(null);
  const [msg, setMsg] = useState<{ kind: 'error' | 'success'; text: string } | null>(null);
  const [dialog, setDialog] = useState<{ c: Case; verb: string } | null>(null);

  const cases = (res.data ?? []).filter((c) => !(st.leftQueueAt[caseId(c)] > res.fetchedAt) && states.includes(c.state ?? ''));
  // The transitions an actor fires from the queue: claiming and declining, by effect.
  const claimVerbs = transitionsWith(wf, 'CLAIM').map((t) => t.name ?? '');
  const declineVerbs = transitionsWith(wf, 'DECLINE').map((t) => t.name ?? '');

  const claim = async (c: Case, verb: string) => {
    if (needsDialog(wf, verb)) { setDialog({ c, verb }); return; }
    setBusy(caseId(c));
    setMsg(null);
    try {
      await caseAction<Case>(caseId(c), verb, { expectedVersion: String(num(c.version)) });
      announce(m.claimed);
      navigate(`/cases/${encodeURIComponent(caseId(c))}`);
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
              <li key={caseId(c)} class="card queue-item" data-case-id={caseId(c)}>
                <div class="queue-head">
                  <h2 class="h3"><a href={`/cases/${encodeURIComponent(caseId(c))}`}>{c.title || caseId(c)}</a></h2>
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
                  {claimVerbs.filter((v) => (c.allowedActions ?? []).includes(v)).map((v) => (
                    <button key={v} type="button" class="primary" data-action={v} disabled={busy === caseId(c)} onClick={() => claim(c, v)}
                      aria-label={`${n.action(v)}: ${c.title || caseId(c)}`}>{n.action(v)}</button>
                  ))}
                  {declineVerbs.filter((v) => (c.allowedActions ?? []).includes(v)).map((v) => (
                    <button key={v} type="button" class="secondary" data-action={v} onClick={() => setDialog({ c, verb: v })}
                      aria-label={`${n.action(v)}: ${c.title || caseId(c)}`}>{n.action(v)}</button>
                  ))}
                </div>
              </li>
            );
          })}
        </ul>
      )}
      {dialog && (
        <ActionDialog c={dialog.c} verb={dialog.verb} suggested={[]} onClose={() => setDialog(null)}
          onDone={(verb, err) => {
            const claimed = !err && claimVerbs.includes(verb) ? dialog.c : null;
            setDialog(null);
            if (claimed) { announce(m.claimed); navigate(`/cases/${encodeURIComponent(caseId(claimed))}`); return; }
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
  // Without "show closed": the cases not yet in a terminal state of the workflow.
  const unfinished = liveStates(useAppState().workflow);
  const cases = showClosed ? all : all.filter((c) => unfinished.includes(c.state ?? ''));
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

