// The application shell: skip link, header (app name, signed-in user with role and
// node/actor, live status, language switch, sign-out), role-based navigation, the main
// landmark with the routed view, and the footer with the accessibility statement.
import { useEffect, useRef } from 'preact/hooks';
import { lazy, Suspense } from 'preact/compat';
import { get, del, onUnauthenticated, onNetwork, ApiError } from './api';
import { useAppState, setState, setLang, getState } from './store';
import { useT, fmt } from './i18n';
import { useLocation, navigate, match } from './router';
import { startLive, stopLive } from './live';
import type { ConfigView, User, WorkflowView } from './types';
import { LoginPage, LoginForm } from './pages/Login';
import { CasesPage } from './pages/Cases';
import { NewCasePage } from './pages/NewCase';
import { CasePage } from './pages/Case';
import { InboxPage } from './pages/Inbox';
import { QueuePage, MinePage } from './pages/Actor';
import { OffersPage } from './pages/Offers';
import { AccessibilityPage } from './pages/Accessibility';
import { TodoPage, TodoNavLink, hasTodo } from './pages/Todo';
import { Loading } from './components/Status';
import { Alert } from './components/Field';

// Charts (ECharts) are only loaded for the pages that draw them.
const DashboardPage = lazy(() => import('./pages/Dashboard').then((x) => x.DashboardPage));
const WorkflowPage = lazy(() => import('./pages/Workflow').then((x) => x.WorkflowPage));

export function homeFor(u: User | null): string {
  switch (u?.role) {
    case 'COORDINATOR': return '/cases';
    case 'ACTOR': return '/queue';
    case 'MANAGER': case 'ADMIN': return '/dashboard';
    default: return '/login';
  }
}

async function afterLogin(user: User): Promise<void> {
  setState({ user, authChecked: true, sessionExpired: false });
  // The region's configuration and workflow drive names, dialogs and queues. Either may fail
  // to load: names then fall back to readable ids, and dialogs ask for an optional reason.
  const [config, workflow] = await Promise.all([
    get<ConfigView>('/v1/config').catch(() => null),
    get<WorkflowView>('/v1/workflow').catch(() => null),
  ]);
  setState({ config: config ?? getState().config, workflow: workflow ?? getState().workflow });
  startLive();
}

function Nav({ user, path }: { user: User; path: string }) {
  const { m } = useT();
  const items: [string, string][] = [];
  // "Att göra" first, with its count: the list of what waits on the user (coordinators, actors).
  if (hasTodo(user)) items.push(['/todo', m.navTodo]);
  if (user.role === 'COORDINATOR') items.push(['/cases', m.navCases], ['/cases/new', m.navNewCase], ['/inbox', m.navInbox], ['/offers', m.navOffers]);
  if (user.role === 'ACTOR') items.push(['/queue', m.navQueue], ['/mine', m.navMine], ['/offers', m.navOffers]);
  if (user.role === 'MANAGER' || user.role === 'ADMIN') items.push(['/dashboard', m.navDashboard], ['/cases', m.navCases], ['/offers', m.navOffers]);
  items.push(['/workflow', m.navWorkflow]);
  const current = (href: string) => path === href || (href === '/cases' && /^\/cases\/(?!new$)/.test(path));
  return (
    <nav class="mainnav" aria-label={m.mainNav}>
      <ul>
        {items.map(([href, label]) => (
          <li key={href}>
            {href === '/todo' ? <TodoNavLink current={current(href)} />
              : <a href={href} aria-current={current(href) ? 'page' : undefined}>{label}</a>}
          </li>
        ))}
      </ul>
    </nav>
  );
}

function LiveIndicator() {
  const st = useAppState();
  const { m } = useT();
  if (!st.user || st.live === 'off') return null;
  const text = st.live === 'open' ? m.liveConnected : st.live === 'connecting' ? m.liveConnecting : m.liveDisconnected;
  return (
    <span class={`live live-${st.live}`} data-live={st.live}>
      <span class="dot" aria-hidden="true">{st.live === 'open' ? '●' : st.live === 'connecting' ? '◌' : '○'}</span> {text}
    </span>
  );
}

function Header() {
  const st = useAppState();
  const { m, n, e } = useT();
  const u = st.user;
  const logout = async () => {
    try { await del('/v1/sessions/current'); } catch { /* signed out locally anyway */ }
    stopLive();
    setState({ user: null, sessionExpired: false, leftQueueAt: {} });
    navigate('/login');
  };
  const scope = u?.role === 'COORDINATOR' ? n.node(u.node) : u?.role === 'ACTOR' ? n.actor(u.actor) : '';
  return (
    <header class="site-header">
      <div class="bar">
        <a class="brand" href={u ? homeFor(u) : '/login'}>
          <span class="logo" aria-hidden="true">▲</span>
          <span class="brand-text"><span class="brand-name">{m.appName}</span><span class="brand-sub">{m.appTagline}</span></span>
        </a>
        <div class="header-tools">
          <LiveIndicator />
          {u && (
            <span class="who" data-testid="who">
              <span class="sr-only">{m.loggedInAs} </span>
              <strong>{u.displayName || u.username}</strong>
              <span class="who-role">{e.role[u.role ?? ''] ?? u.role}{scope ? ` · ${scope}` : ''}</span>
            </span>
          )}
          <button type="button" class="ghost lang" lang={m.switchToOtherLang} onClick={() => setLang(st.lang === 'sv' ? 'en' : 'sv')} aria-label={m.switchToOtherLabel}>
            {m.switchToOther}
          </button>
          {u && <button type="button" class="secondary" onClick={logout}>{m.logout}</button>}
        </div>
      </div>
      {u && <Nav user={u} path={location.pathname} />}
    </header>
  );
}

function Banners() {
  const st = useAppState();
  const { m } = useT();
  return (
    <div class="banners">
      {st.offline && <Alert kind="warning">{m.offline}</Alert>}
      {st.sessionExpired && st.user && (
        <div class="alert alert-error session-expired" role="alert">
          <span class="icon" aria-hidden="true">⚠</span>
          <div>
            <p>{m.sessionExpired}</p>
            <LoginForm compact presetUser={st.user.username} onDone={(u) => { void afterLogin(u); setState({ liveTick: getState().liveTick + 1 }); }} />
          </div>
        </div>
      )}
    </div>
  );
}

function Redirect({ to }: { to: string }) {
  useEffect(() => { navigate(to, true); }, [to]);
  return null;
}

function Routes({ path }: { path: string }) {
  const st = useAppState();
  const { m } = useT();
  const u = st.user;
  if (path === '/accessibility') return <AccessibilityPage />;
  if (!u) return <LoginPage onDone={(user) => { void afterLogin(user); const next = new URLSearchParams(location.search).get('next'); navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : homeFor(user), true); }} />;
  if (path === '/' || path === '/login') return <Redirect to={homeFor(u)} />;
  const role = u.role;
  const coord = role === 'COORDINATOR';
  const actor = role === 'ACTOR';
  const mgr = role === 'MANAGER' || role === 'ADMIN';
  const forbidden = <div class="page"><h1 tabIndex={-1}>{m.forbidden}</h1><p><a href={homeFor(u)}>{m.toStart}</a></p></div>;
  if (path === '/cases') return coord || mgr ? <CasesPage /> : forbidden;
  if (path === '/cases/new') return coord ? <NewCasePage /> : forbidden;
  const cm = match('/cases/:id', path);
  if (cm) return <CasePage id={cm.id} />;
  if (path === '/inbox') return coord ? <InboxPage /> : forbidden;
  if (path === '/queue') return actor ? <QueuePage /> : forbidden;
  if (path === '/mine') return actor ? <MinePage /> : forbidden;
  if (path === '/offers') return <OffersPage />;
  if (path === '/todo') return hasTodo(u) ? <TodoPage /> : forbidden;
  if (path === '/dashboard') return mgr ? <Suspense fallback={<Loading />}><DashboardPage /></Suspense> : forbidden;
  if (path === '/workflow') return <Suspense fallback={<Loading />}><WorkflowPage /></Suspense>;
  return <div class="page"><h1 tabIndex={-1}>{m.notFound}</h1><p><a href={homeFor(u)}>{m.toStart}</a></p></div>;
}

export function App() {
  const st = useAppState();
  const { m } = useT();
  const loc = useLocation();
  const mainRef = useRef<HTMLElement>(null);
  const first = useRef(true);

  useEffect(() => {
    document.documentElement.lang = st.lang;
    const offU = onUnauthenticated(() => {
      if (getState().user) setState({ sessionExpired: true });
      stopLive();
    });
    const offN = onNetwork((ok) => { if (getState().offline !== !ok) setState({ offline: !ok }); });
    get<User>('/v1/me').then(
      (u) => { void afterLogin(u); },
      (e: ApiError) => {
        setState({ authChecked: true, offline: e.isNetwork });
        if (location.pathname !== '/accessibility' && location.pathname !== '/login') {
          navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}`, true);
        }
      },
    );
    return () => { offU(); offN(); };
  }, []);

  // After navigation: move focus to the new page's heading so screen readers and keyboard
  // users start at the top of the new content; set the document title.
  useEffect(() => {
    if (first.current) { first.current = false; return; }
    const t = window.setTimeout(() => {
      const h = mainRef.current?.querySelector<HTMLElement>('h1');
      if (h) { if (!h.hasAttribute('tabindex')) h.setAttribute('tabindex', '-1'); h.focus(); }
    }, 30);
    return () => window.clearTimeout(t);
  }, [loc.path]);
  useEffect(() => {
    const h = mainRef.current?.querySelector('h1')?.textContent;
    document.title = h ? `${h} – ${m.appName}` : m.appName;
  });

  return (
    <>
      <a class="skip-link" href="#main">{m.skipToContent}</a>
      <Header />
      <Banners />
      <main id="main" ref={mainRef} tabIndex={-1}>
        {!st.authChecked && loc.path !== '/accessibility' ? <Loading /> : <Routes path={loc.path} />}
      </main>
      <footer class="site-footer">
        <p>
          <a href="/accessibility">{fmt(m.navAccessibility)}</a>
          <span aria-hidden="true"> · </span>
          <a href={`mailto:${st.a11yEmail}?subject=${encodeURIComponent('Tillgänglighet Tillväxt')}`}>{m.reportA11y}</a>
        </p>
        <p class="muted">Region Sörmland · {m.appTagline}</p>
      </footer>
      <div class="sr-only" aria-live="polite" aria-atomic="true" id="announcer">{st.announcement}</div>
    </>
  );
}
