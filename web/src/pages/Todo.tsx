// "Att göra": the caller's to-do list (GET /v1/todo, docs/API-NOTES.md "To do"). Coordinators
// see new cases to triage, cases at risk of their deadline and effect follow-ups due; actors the
// cases waiting on them, claims about to lapse and cases at risk. Each case is shown as the
// server lets the caller see it (a candidate's case is anonymised). Refetched on every live
// event, like the queues; the navigation shows the total (TodoNavLink).
import { get } from '../api';
import { useT, fmt, fmtDate } from '../i18n';
import { useAppState } from '../store';
import { useResource } from '../resource';
import type { Todo, TodoCase, TodoList, User } from '../types';
import { num } from '../types';
import { StateBadge, Deadline } from '../components/Badges';
import { Loading, LoadError } from '../components/Status';

/** The roles a to-do list is for: nothing is addressed to managers and admins. */
export const hasTodo = (u: User | null): boolean => u?.role === 'COORDINATOR' || u?.role === 'ACTOR';

function useTodo(enabled = true) {
  return useResource((s) => get<Todo>('/v1/todo', {}, s), 'todo', { enabled });
}

/** The navigation's link to the list, with the number of cases on it. */
export function TodoNavLink({ current }: { current: boolean }) {
  const { m } = useT();
  const res = useTodo(hasTodo(useAppState().user));
  const total = num(res.data?.total);
  return (
    <a href="/todo" aria-current={current ? 'page' : undefined} data-testid="nav-todo">
      {m.navTodo}
      {res.data && (
        <>
          {' '}
          <span class={`nav-count${total ? '' : ' zero'}`} data-count={total} aria-hidden="true">{total}</span>
          <span class="sr-only"> ({fmt(m.navTodoCount, { n: total })})</span>
        </>
      )}
    </a>
  );
}

type Kind = 'followUpsDue' | 'waitingOnMe' | 'slaAtRisk' | 'claimsLapsing';

function Why({ kind, c }: { kind: Kind; c: TodoCase }) {
  const { m, lang } = useT();
  if (kind === 'slaAtRisk') return <>{fmt(m.todoWarned, { p: num(c.percent) })}</>;
  if (kind === 'followUpsDue') return <>{fmt(m.todoReminded, { months: num(c.monthsAfterClose), date: fmtDate(c.since, lang) })}</>;
  if (c.anonymised) return <span class="muted">{m.todoAnonymised}</span>;
  return <span class="muted">{m.none}</span>;
}

function Section({ kind, title, hint, list }: { kind: Kind; title: string; hint: string; list: TodoList | undefined }) {
  const { m } = useT();
  const cases = list?.cases ?? [];
  const count = num(list?.count);
  const id = `todo-${kind}`;
  return (
    <section class="card todo-section" aria-labelledby={`${id}-h`} data-list={kind} data-count={count}>
      <h2 id={`${id}-h`} class="h3">
        {title} <span class="count-badge" aria-hidden="true">{count}</span>
        <span class="sr-only"> ({count})</span>
      </h2>
      <p class="muted">{hint}</p>
      {cases.length === 0 ? <p class="empty">{m.todoListEmpty}</p> : (
        <div class="table-wrap">
          <table class="cases responsive">
            <caption class="sr-only">{title}</caption>
            <thead>
              <tr>
                <th scope="col">{m.todoColCase}</th>
                <th scope="col">{m.todoColState}</th>
                <th scope="col">{m.todoColDeadline}</th>
                <th scope="col">{m.todoColWhy}</th>
              </tr>
            </thead>
            <tbody>
              {cases.map((c) => (
                <tr key={c.id} data-case-id={c.id}>
                  <td data-label={m.todoColCase}><a class="case-link" href={`/cases/${encodeURIComponent(c.id ?? '')}`}>{c.title || c.id}</a></td>
                  <td data-label={m.todoColState}><StateBadge state={c.state} /></td>
                  <td data-label={m.todoColDeadline}><Deadline deadline={c.deadline} state={c.state} /></td>
                  <td data-label={m.todoColWhy}><Why kind={kind} c={c} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {count > cases.length && <p class="muted">{fmt(m.todoShown, { shown: cases.length, count })}</p>}
    </section>
  );
}

export function TodoPage() {
  const { m } = useT();
  const u = useAppState().user;
  const res = useTodo(hasTodo(u));
  const t = res.data;
  const coord = u?.role === 'COORDINATOR';
  return (
    <div class="page todo">
      <h1>{m.todoTitle}</h1>
      <p class="lead">{hasTodo(u) ? m.todoIntro : m.todoNoRole}</p>
      {res.error && <LoadError error={res.error} retry={res.reload} />}
      {hasTodo(u) && (!t && !res.error ? <Loading /> : t && (
        <>
          <p class="result-count" aria-live="polite" data-testid="todo-total">{num(t.total) === 0 ? m.todoNothing : fmt(m.navTodoCount, { n: num(t.total) })}</p>
          {coord ? (
            <>
              <Section kind="waitingOnMe" title={m.todoWaitingCoord} hint={m.todoWaitingCoordHint} list={t.waitingOnMe} />
              <Section kind="slaAtRisk" title={m.todoSlaAtRisk} hint={m.todoSlaAtRiskHint} list={t.slaAtRisk} />
              <Section kind="followUpsDue" title={m.todoFollowUps} hint={m.todoFollowUpsHint} list={t.followUpsDue} />
            </>
          ) : (
            <>
              <Section kind="waitingOnMe" title={m.todoWaitingActor} hint={m.todoWaitingActorHint} list={t.waitingOnMe} />
              <Section kind="claimsLapsing" title={m.todoClaimsLapsing} hint={m.todoClaimsLapsingHint} list={t.claimsLapsing} />
              <Section kind="slaAtRisk" title={m.todoSlaAtRisk} hint={m.todoSlaAtRiskHint} list={t.slaAtRisk} />
            </>
          )}
        </>
      ))}
    </div>
  );
}
