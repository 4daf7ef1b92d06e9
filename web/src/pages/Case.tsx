// One case: its fields, the actions this user may fire now (exactly `allowedActions`, labelled
// and given their dialogs from this region's workflow), the
// candidates with why each matched, suggested and linked offers, and the full timeline.
// Every action sends `expectedVersion`; a 409 ABORTED reloads the case and says so.
import { useState } from 'preact/hooks';
import { get, caseAction, ApiError } from '../api';
import { useT, fmt, fmtDateTime, fmtDate, type Names } from '../i18n';
import { useAppState, announce } from '../store';
import { useResource } from '../resource';
import type { Case, CaseEvent, Match, Offer, SuggestedOffers } from '../types';
import { num, caseId } from '../types';
import { needsDialog, isPrimary, effectOf, findTransition, humanize } from '../workflow';
import { StateBadge, LevelBadge, Deadline } from '../components/Badges';
import { Loading, LoadError } from '../components/Status';
import { Alert } from '../components/Field';
import { ActionDialog } from '../components/ActionDialog';

export function MatchReasons({ match, n }: { match: Match; n: Names }) {
  const reasons = match.reasons ?? [];
  if (!reasons.length) return null;
  return (
    <ul class="reasons">
      {reasons.map((r) => <li key={r} data-reason={r}>{n.reason(r)}</li>)}
    </ul>
  );
}

export function CasePage({ id }: { id: string }) {
  const { m, n, e, lang } = useT();
  const st = useAppState();
  const caseRes = useResource((s) => get<Case>(`/v1/cases/${encodeURIComponent(id)}`, undefined, s), `case:${id}`);
  const eventsRes = useResource((s) => get<{ events?: CaseEvent[] }>(`/v1/cases/${encodeURIComponent(id)}/events`, undefined, s), `events:${id}`);
  const sugRes = useResource(
    (s) => get<SuggestedOffers>(`/v1/cases/${encodeURIComponent(id)}/suggestedOffers`, undefined, s),
    `sug:${id}`,
    { enabled: !!caseRes.data && !caseRes.data.anonymised },
  );
  const c = caseRes.data;
  const linkedKey = (c?.offerIds ?? []).join(',');
  const linkedRes = useResource(
    (s) => Promise.all((c?.offerIds ?? []).map((oid) => get<Offer>(`/v1/offers/${encodeURIComponent(oid)}`, undefined, s).catch(() => ({ id: oid } as Offer)))),
    `linked:${id}:${linkedKey}`,
    { enabled: !!linkedKey },
  );
  const [dialog, setDialog] = useState<string | null>(null);
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  if (caseRes.error && !c) {
    return <div class="page"><h1>{m.caseTitle}</h1><LoadError error={caseRes.error} retry={caseRes.reload} /></div>;
  }
  if (!c) return <div class="page"><Loading /></div>;

  const reloadAll = () => { caseRes.reload(); eventsRes.reload(); sugRes.reload(); };

  const afterAction = (verb: string, err?: ApiError) => {
    if (!err) {
      setDialog(null);
      setMessage({ kind: 'success', text: fmt(m.actionDone, { action: n.action(verb) }) });
      announce(fmt(m.actionDone, { action: n.action(verb) }));
      reloadAll();
      // If the button that opened the dialog is gone, keep focus on the page.
      window.setTimeout(() => {
        if (!document.activeElement || document.activeElement === document.body) document.getElementById('case-status')?.focus();
      }, 50);
      return;
    }
    if (err.isConflict) {
      setDialog(null);
      const text = effectOf(st.workflow, verb) === 'CLAIM' ? m.claimLost : m.conflict;
      setMessage({ kind: 'error', text });
      announce(text);
      reloadAll();
    } else if (err.httpStatus === 409 || err.httpStatus === 403 || err.httpStatus === 404) {
      setDialog(null);
      setMessage({ kind: 'error', text: err.message });
      reloadAll();
    }
  };

  // Actions whose transition asks for nothing (no effect fields, no reason) fire at once; the
  // rest open a dialog.
  const fire = async (verb: string) => {
    if (needsDialog(st.workflow, verb)) { setDialog(verb); return; }
    setBusy(true);
    setMessage(null);
    try {
      await caseAction<Case>(caseId(c), verb, { expectedVersion: String(num(c.version)) });
      afterAction(verb);
    } catch (x) {
      const a = x as ApiError;
      if (a.isUnauthenticated) return;
      if (a.isNetwork) setMessage({ kind: 'error', text: m.offline });
      else if (!a.isConflict && a.httpStatus !== 409) setMessage({ kind: 'error', text: a.message });
      afterAction(verb, a);
    } finally {
      setBusy(false);
    }
  };

  const actions = c.allowedActions ?? [];
  const events = eventsRes.data?.events ?? [];
  const sugRaw = sugRes.data;
  const suggested: Offer[] = (sugRaw?.offers ?? []).map((x) => x.offer).filter((o): o is Offer => !!o);
  // The transition that attaches an offer, whatever this workflow calls it.
  const linkVerb = actions.find((a) => effectOf(st.workflow, a) === 'LINK_OFFER' && findTransition(st.workflow, a));
  const linkedIds = new Set(c.offerIds ?? []);
  const matches: Match[] = c.matches?.length ? c.matches : (c.candidates ?? []).map((a) => ({ actor: a }));

  return (
    <div class="page case-page" data-case-id={c.id} data-state={c.state} data-version={String(c.version ?? '')}>
      <p class="crumb"><a href={st.user?.role === 'ACTOR' ? '/mine' : '/cases'}>← {m.backToList}</a></p>
      <div class="page-head">
        <h1>{c.title || c.id}</h1>
        <div class="badges"><StateBadge state={c.state} /> <LevelBadge level={c.level} /></div>
      </div>
      <div id="case-status" tabIndex={-1} class="status-area" aria-live="polite">
        {message && <Alert kind={message.kind}>{message.text}</Alert>}
      </div>
      {c.anonymised && <Alert kind="info">{m.anonymised}</Alert>}

      <section class="card actions-card" aria-labelledby="actions-h">
        <h2 id="actions-h">{m.actions}</h2>
        {actions.length === 0 ? <p class="muted">{m.noActions}</p> : (
          <div class="action-buttons">
            {actions.map((verb) => (
              <button key={verb} type="button" data-action={verb} disabled={busy}
                class={isPrimary(st.workflow, verb) ? 'primary' : 'secondary'}
                onClick={() => fire(verb)}>
                {n.action(verb)}
              </button>
            ))}
          </div>
        )}
      </section>

      <div class="case-grid">
        <section class="card" aria-labelledby="details-h">
          <h2 id="details-h">{m.caseDetails}</h2>
          {c.description && <p class="description">{c.description}</p>}
          <dl class="details">
            <dt>{m.fState}</dt><dd><StateBadge state={c.state} /></dd>
            <dt>{m.fLevel}</dt><dd><LevelBadge level={c.level} />{c.highestLevel && c.highestLevel !== c.level ? ` (${m.fHighestLevel}: ${n.level(c.highestLevel)})` : ''}</dd>
            <dt>{m.fDeadline}</dt><dd><Deadline deadline={c.deadline} state={c.state} /></dd>
            <dt>{m.fNode}</dt><dd>{n.node(c.node) || m.none}</dd>
            <dt>{m.fAssignee}</dt><dd data-testid="assignee">{c.assignee ? n.actor(c.assignee) : m.none}</dd>
            <dt>{m.fNeeds}</dt><dd>{(c.needs ?? []).map(n.need).join(', ') || m.none}</dd>
            <dt>{m.fAreas}</dt><dd>{(c.areas ?? []).map(n.area).join(', ') || m.none}</dd>
            {!c.anonymised && <><dt>{m.fCompanyName}</dt><dd>{c.company?.name || m.none}</dd></>}
            {!c.anonymised && <><dt>{m.fOrgNumber}</dt><dd>{c.company?.orgNumber || m.none}</dd></>}
            <dt>{m.fMunicipality}</dt><dd>{c.company?.municipality || m.none}</dd>
            <dt>{m.fSize}</dt><dd>{c.company?.size ? e.size[c.company.size] ?? c.company.size : m.none}</dd>
            {c.company?.industry && <><dt>{m.fIndustry}</dt><dd>{c.company.industry}</dd></>}
            {c.contact && (c.contact.name || c.contact.email || c.contact.phone) && (
              <>
                <dt>{m.sectionContact}</dt>
                <dd>
                  {c.contact.name}
                  {c.contact.email && <><br /><a href={`mailto:${c.contact.email}`}>{c.contact.email}</a></>}
                  {c.contact.phone && <><br /><a href={`tel:${c.contact.phone.replace(/\s/g, '')}`}>{c.contact.phone}</a></>}
                </dd>
              </>
            )}
            {c.outcome?.kind && <><dt>{m.fOutcome}</dt><dd>{n.outcome(c.outcome.kind)}{c.outcome.note ? ` – ${c.outcome.note}` : ''}</dd></>}
            {c.feedback && <><dt>{m.fFeedback}</dt><dd>{c.feedback}</dd></>}
            {c.parentId && <><dt>{m.fParent}</dt><dd><a href={`/cases/${encodeURIComponent(c.parentId)}`}>{c.parentId}</a></dd></>}
            {c.childIds && c.childIds.length > 0 && (
              <><dt>{m.fChildren}</dt><dd>{c.childIds.map((x, i) => <>{i > 0 && ', '}<a href={`/cases/${encodeURIComponent(x)}`}>{x}</a></>)}</dd></>
            )}
            {c.effects && c.effects.length > 0 && (
              <><dt>{m.fEffects}</dt><dd><ul class="plain">{c.effects.map((x, i) => (
                <li key={i}>{n.effect(x.effect?.kind)} ({fmt(m.monthsShort, { n: x.monthsAfterClose ?? 0 })}){x.effect?.note ? ` – ${x.effect.note}` : ''}</li>
              ))}</ul></dd></>
            )}
            <dt>{m.fCreated}</dt><dd>{fmtDateTime(c.createTime, lang) || m.none}</dd>
            <dt>{m.fUpdated}</dt><dd>{fmtDateTime(c.updateTime, lang) || m.none}</dd>
          </dl>
        </section>

        <section class="card" aria-labelledby="cand-h">
          <h2 id="cand-h">{m.candidates}</h2>
          {matches.length === 0 ? <p class="muted">{m.noCandidates}</p> : (
            <ul class="candidates plain">
              {matches.map((mt) => (
                <li key={mt.actor} class="candidate" data-actor={mt.actor}>
                  <div class="cand-head">
                    <strong>{n.actor(mt.actor)}</strong>
                    {mt.score !== undefined && <span class="muted"> · {m.score} {Number(mt.score).toLocaleString(lang === 'en' ? 'en-GB' : 'sv-SE')}</span>}
                  </div>
                  {(mt.reasons?.length ?? 0) > 0 && <><span class="sr-only">{m.whyMatched}: </span><MatchReasons match={mt} n={n} /></>}
                </li>
              ))}
            </ul>
          )}

          <h2 id="linked-h">{m.linkedOffers}</h2>
          {!linkedIds.size ? <p class="muted">{m.noLinkedOffers}</p> : (
            <ul class="plain offers-mini">
              {(linkedRes.data ?? [...linkedIds].map((x) => ({ id: x } as Offer))).map((o) => (
                <li key={o.id}>{o.url ? <a href={o.url} rel="noopener noreferrer">{o.title || o.id}</a> : (o.title || o.id)} {o.actor && <span class="muted">· {n.actor(o.actor)}</span>}</li>
              ))}
            </ul>
          )}

          {!c.anonymised && (
            <>
              <h2 id="sug-h">{m.suggestedOffers}</h2>
              {sugRes.error && <LoadError error={sugRes.error} />}
              {suggested.length === 0 ? <p class="muted">{m.noSuggestedOffers}</p> : (
                <ul class="plain offers-mini">
                  {suggested.map((o) => (
                    <li key={o.id} class="offer-mini">
                      <div>
                        <strong>{o.title || o.id}</strong> <span class="muted">· {e.offerKind[o.kind ?? ''] ?? o.kind} · {n.actor(o.actor)}</span>
                        {o.validUntil && <span class="muted"> · {fmtDate(o.validFrom, lang)} – {fmtDate(o.validUntil, lang)}</span>}
                      </div>
                      {linkVerb && o.id && !linkedIds.has(o.id) && (
                        <button type="button" class="secondary small" onClick={() => setDialog(`${linkVerb}:${o.id}`)}
                          aria-label={`${m.link}: ${o.title || o.id}`}>{m.link}</button>
                      )}
                    </li>
                  ))}
                </ul>
              )}
            </>
          )}
        </section>
      </div>

      <section class="card" aria-labelledby="tl-h">
        <h2 id="tl-h">{m.timeline}</h2>
        {eventsRes.error && <LoadError error={eventsRes.error} retry={eventsRes.reload} />}
        {!eventsRes.data && !eventsRes.error ? <Loading /> : events.length === 0 ? <p class="muted">{m.noEvents}</p> : <Timeline events={events} />}
      </section>

      {dialog && (
        <ActionDialog
          c={c}
          verb={dialog.split(':')[0]}
          presetOffer={dialog.includes(':') ? dialog.slice(dialog.indexOf(':') + 1) : undefined}
          suggested={suggested}
          onClose={() => setDialog(null)}
          onDone={(verb, err) => afterAction(verb, err)}
        />
      )}
    </div>
  );
}

export function Timeline({ events }: { events: CaseEvent[] }) {
  const { m, n, e, lang } = useT();
  const reasonText = (r?: string) => (r ? e.eventReason[r] ?? r : '');
  return (
    <ol class="timeline">
      {events.map((ev) => {
        const stateChange = ev.fromState && ev.toState && ev.fromState !== ev.toState;
        const levelChange = ev.fromLevel && ev.level && ev.fromLevel !== ev.level;
        return (
          <li key={String(ev.seq)} class={`tl-item tl-${(ev.type ?? '').toLowerCase()}`} data-type={ev.type}>
            <div class="tl-head">
              <strong>{ev.type === 'TRANSITIONED' && ev.action ? n.action(ev.action) : e.event[ev.type ?? ''] ?? humanize(ev.type ?? '')}</strong>
              <span class="tl-meta">
                {' '}<time dateTime={ev.time}>{fmtDateTime(ev.time, lang)}</time>
                {' '}{m.by} {ev.user === 'system' ? m.system : ev.user || m.system}
              </span>
            </div>
            <div class="tl-body">
              {stateChange && <span class="tl-states">{fmt(m.eventFromTo, { from: n.state(ev.fromState), to: n.state(ev.toState) })}</span>}
              {levelChange
                ? <span class="tl-level"> · {fmt(m.eventLevelFromTo, { from: n.level(ev.fromLevel), to: n.level(ev.level) })}</span>
                : ev.level && <span class="tl-level"> · {fmt(m.eventLevel, { level: n.level(ev.level) })}</span>}
              {ev.actor && <span> · {m.fActor}: {n.actor(ev.actor)}</span>}
              {ev.reason && <div class="tl-reason">{m.reason}: {reasonText(ev.reason)}</div>}
              {ev.type === 'TRIAGED' && (
                <div>{m.fNeeds}: {(ev.needs ?? []).map(n.need).join(', ') || m.none}{(ev.areas ?? []).length > 0 && <> · {m.fAreas}: {(ev.areas ?? []).map(n.area).join(', ')}</>}</div>
              )}
              {ev.type === 'ROUTED' && (ev.matches ?? []).length > 0 && (
                <div>{m.candidates}: {(ev.matches ?? []).map((x) => n.actor(x.actor)).join(', ')}</div>
              )}
              {ev.outcome?.kind && ev.type !== 'EFFECT_RECORDED' && <div>{m.fOutcome}: {n.outcome(ev.outcome.kind)}{ev.outcome.note ? ` – ${ev.outcome.note}` : ''}</div>}
              {(ev.effect?.kind || (ev.type === 'EFFECT_RECORDED' && ev.outcome?.kind)) && (
                <div>{m.fEffectKind}: {n.effect(ev.effect?.kind || ev.outcome?.kind)}{ev.monthsAfterClose ? ` (${fmt(m.monthsShort, { n: ev.monthsAfterClose })})` : ''}</div>
              )}
              {ev.offerId && <div>{m.fOffer}: {ev.offerId}</div>}
              {ev.relatedCaseId && <div><a href={`/cases/${encodeURIComponent(ev.relatedCaseId)}`}>{ev.relatedCaseId}</a></div>}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
