// Browser tests of the Tillväxt web app against a running engine (docs/API.md):
//   BASE_URL=http://127.0.0.1:8080 TILLVAXT_DEMO_PASSWORD=… npm run test:e2e
// playwright-core drives Debian's Chromium (CHROMIUM_PATH, default /usr/bin/chromium; never
// downloads a browser). axe-core checks every page against WCAG 2.0/2.1 A and AA.
// Scenario: a coordinator logs a case and triages it; an actor that is a candidate sees it
// arrive in its queue live, claims, starts and resolves it; the coordinator sees the update
// live and closes it; the manager's dashboard shows it. Screenshots of each main page go to
// web/screenshots/ (SCREENSHOTS=0 turns them off). Prints "N passed, M failed" and exits
// non-zero on any failure.
// Nothing region-specific is assumed: the node, need, area, actors and outcome kind come from
// GET /v1/config of the server under test (E2E_NODE picks a node), so the same scenario runs
// against every shipped configuration (scripts/web-test.sh runs Sörmland and Stockholm).
import { chromium, request as pwRequest } from 'playwright-core';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const BASE = (process.env.BASE_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
const PASSWORD = process.env.TILLVAXT_DEMO_PASSWORD || '';
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SHOTS = path.resolve(here, '../screenshots');
let NODE = process.env.E2E_NODE || ''; // chosen from /v1/config below when unset
const SHOOT = process.env.SCREENSHOTS !== '0';
const T = Number(process.env.E2E_TIMEOUT_MS || 15000);
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-dev-shm-usage', '--disable-quic'];

let passed = 0;
let failed = 0;
const failures = [];
let aborted = false;
const allPages = []; // CSP violations and uncaught errors per page

async function test(name, fn) {
  if (aborted) { failed++; failures.push(`${name}: not run (an earlier step the scenario depends on failed)`); console.log(`SKIP-FAIL ${name}`); return false; }
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
    return true;
  } catch (e) {
    failed++;
    const msg = (e && e.message ? e.message : String(e)).split('\n').slice(0, 6).join('\n     ');
    failures.push(`${name}: ${msg}`);
    console.log(`FAIL ${name}\n     ${msg}`);
    return false;
  }
}
/** A step the rest of the scenario needs: when it fails, the remaining steps are counted as failed. */
async function step(name, fn) { if (!(await test(name, fn))) aborted = true; }
function assert(cond, msg) { if (!cond) throw new Error(msg); }

async function axeCheck(page, label) {
  await page.evaluate(AXE); // CDP evaluation is not subject to the page's CSP
  const res = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  assert(res.length === 0, `axe on ${label}: ${res.map((v) => `${v.id} (${v.impact}): ${v.help} @ ${v.nodes.join(', ')}`).join('; ')}`);
}

async function shot(page, name) {
  if (!SHOOT) return;
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** Swedish organisation number with a valid Luhn check digit, random so runs do not collide. */
function orgNumber() {
  const d = [5, 5, ...Array.from({ length: 7 }, () => Math.floor(Math.random() * 10))];
  let sum = 0;
  d.forEach((x, i) => { let y = i % 2 === 0 ? x * 2 : x; if (y > 9) y -= 9; sum += y; });
  d.push((10 - (sum % 10)) % 10);
  const s = d.join('');
  return `${s.slice(0, 6)}-${s.slice(6)}`;
}
function badOrgNumber(good) {
  const last = Number(good.slice(-1));
  return good.slice(0, -1) + String((last + 1) % 10);
}

async function newPage(browser, opts = {}) {
  const ctx = await browser.newContext({ baseURL: BASE, locale: 'sv-SE', viewport: { width: 1280, height: 900 }, ...opts });
  const page = await ctx.newPage();
  page.setDefaultTimeout(T);
  const rec = { csp: [], errors: [] };
  page.on('console', (msg) => {
    const t = msg.text();
    if (/Content Security Policy/i.test(t)) rec.csp.push(t);
  });
  page.on('pageerror', (err) => rec.errors.push(String(err)));
  allPages.push(rec);
  return page;
}

async function login(page, username) {
  await page.goto('/login');
  await page.fill('#login-username', username);
  await page.fill('#login-password', PASSWORD);
  await page.getByRole('button', { name: 'Logga in' }).click();
  await page.waitForSelector('[data-testid="who"]');
}

const caseSel = (state) => `.case-page[data-state="${state}"]`;

/** The to-do total shown in the navigation ("Att göra 3"), once loaded. */
async function navTodoCount(page) {
  const badge = page.locator('[data-testid="nav-todo"] .nav-count');
  await badge.waitFor();
  return Number(await badge.getAttribute('data-count'));
}

/**
 * Waits until the server's to-do list (GET /v1/todo) has case `id` waiting on the caller or not
 * (`waiting`) and the navigation's count equals the server's total: the count follows changes
 * live, without a reload. (The demo's own timers may change the total meanwhile, so the test
 * compares with the server, not with a number of its own.)
 */
async function navTodoFollows(page, what, id, waiting) {
  await page.waitForFunction(async ([caseId, want]) => {
    const t = await (await fetch('/v1/todo')).json();
    const shown = Number(document.querySelector('[data-testid="nav-todo"] .nav-count')?.getAttribute('data-count'));
    const listed = (t.waitingOnMe?.cases ?? []).some((c) => c.id === caseId);
    return shown === Number(t.total ?? 0) && listed === want;
  }, [id, waiting], { timeout: T, polling: 250 }).catch(async () => {
    const t = await page.evaluate(async () => (await fetch('/v1/todo')).json());
    throw new Error(`${what}: navigation shows ${await navTodoCount(page)}, the server's total is ${t.total}`);
  });
}

async function fireAction(page, verb, fill) {
  await page.click(`button[data-action="${verb}"]`);
  const dlg = page.locator(`dialog#dlg-${verb}`);
  if (await dlg.count()) {
    await dlg.waitFor({ state: 'visible' });
    if (fill) await fill(dlg);
    await dlg.locator(`button[data-confirm="${verb}"]`).click();
    await dlg.waitFor({ state: 'detached' });
  }
}

async function main() {
  assert(PASSWORD, 'set TILLVAXT_DEMO_PASSWORD');
  assert(fs.existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}`);
  console.log(`Tillväxt e2e against ${BASE}`);

  // Choose a need and area that route to a LOCAL actor at the node (from the configuration).
  let config = null;
  let need = '', area = '', predicted = [], nodeName = '', outcomeKind = '';
  // The lifecycle's verbs and states, read from /v1/workflow by effect (another region's
  // workflow may name them differently): verb.triage, verb.claim, ...; state.matched, ...
  const verb = {}, state = {};
  await step('configuration: pick a node and a need/area that a LOCAL actor at the node serves', async () => {
    const api = await pwRequest.newContext({ baseURL: BASE, extraHTTPHeaders: { 'X-Requested-With': 'tillvaxt' } });
    const r = await api.post('/v1/sessions', { data: { username: 'manager', password: PASSWORD } });
    assert(r.ok(), `API login as manager: HTTP ${r.status()}`);
    const c = await api.get('/v1/config');
    assert(c.ok(), `GET /v1/config: HTTP ${c.status()}`);
    config = await c.json();
    const w = await api.get('/v1/workflow');
    assert(w.ok(), `GET /v1/workflow: HTTP ${w.status()}`);
    const wf = await w.json();
    const transitions = wf.transitions || [];
    const terminal = new Set((wf.states || []).filter((x) => x.terminal).map((x) => x.name));
    const byEffect = (effect) => {
      const t = transitions.find((x) => x.effect === effect);
      assert(t, `the workflow has a transition with effect ${effect}`);
      return t;
    };
    // A transition without an effect from `from`, open to `role`, that `fits`.
    const plain = (what, from, role, fits) => {
      const t = transitions.find((x) => (!x.effect || x.effect === 'NONE') && (x.from || []).includes(from) &&
        (x.roles || []).includes(role) && fits(x));
      assert(t, `the workflow has a transition that ${what} from ${from}`);
      return t;
    };
    const triage = byEffect('TRIAGE'), claim = byEffect('CLAIM'), resolve = byEffect('RESOLVE');
    const start = plain('starts work', claim.to, 'ACTOR', (x) => x.to && !terminal.has(x.to));
    const close = plain('closes', resolve.to, 'COORDINATOR', (x) => terminal.has(x.to));
    Object.assign(verb, { triage: triage.name, claim: claim.name, start: start.name, resolve: resolve.name, close: close.name });
    Object.assign(state, { initial: wf.initialState, matched: (triage.mayLeadTo || [])[0], claimed: claim.to,
      working: start.to, resolved: resolve.to, closed: close.to });
    assert(state.matched, 'the triage transition says which state a routed case lands in');
    console.log(`     workflow verbs: ${JSON.stringify(verb)}; states: ${JSON.stringify(state)}`);
    const lowest = (config.levels && config.levels[0]) || 'LOCAL';
    const localsAt = (node) => (config.actors || []).filter((a) => a.level === lowest && (!a.nodes || a.nodes.length === 0 || a.nodes.includes(node)));
    // The node with the most LOCAL actors, unless E2E_NODE names one.
    if (!NODE) NODE = [...(config.nodes || [])].sort((a, b) => localsAt(b.id).length - localsAt(a.id).length)[0]?.id || '';
    assert(NODE && (config.nodes || []).some((x) => x.id === NODE), `node ${NODE || '(none)'} is not in /v1/config`);
    nodeName = (config.nodes.find((x) => x.id === NODE) || {}).name || NODE;
    outcomeKind = (config.outcomeKinds || []).includes('SOLUTION') ? 'SOLUTION' : (config.outcomeKinds || [])[0];
    assert(outcomeKind, 'outcome kinds in /v1/config');
    const locals = localsAt(NODE);
    assert(locals.length > 0, `no ${lowest} actor serves ${NODE}`);
    // Prefer the need served by the most local actors, so the "disappears from other queues" check can run.
    const score = {};
    locals.forEach((a) => (a.needs || []).forEach((nd) => { score[nd] = (score[nd] || 0) + 1; }));
    need = Object.keys(score).sort((a, b) => score[b] - score[a])[0];
    const first = locals.find((a) => (a.needs || []).includes(need));
    area = (first.areas && first.areas[0]) || (config.areas && config.areas[0] && config.areas[0].id) || '';
    predicted = locals.filter((a) => (a.needs || []).includes(need) && (!a.areas || a.areas.length === 0 || a.areas.includes(area))).map((a) => a.id);
    console.log(`     region=${config.region?.id} node=${NODE} need=${need} area=${area} expected LOCAL candidates: ${predicted.join(', ')}`);
    await api.dispose();
  });
  if (aborted) return;

  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  try {
    const coord = await newPage(browser);
    const actorPages = {};
    let caseId = '';
    let caseTitle = '';
    let candidates = [];
    let assignee = '';

    await test('accessibility statement: reachable signed out, report link, axe', async () => {
      await coord.goto('/accessibility');
      await coord.getByRole('heading', { level: 1, name: 'Tillgänglighetsredogörelse' }).waitFor();
      const href = await coord.getByRole('link', { name: 'Rapportera brister i tillgänglighet' }).first().getAttribute('href');
      assert(href && href.startsWith('mailto:'), `report link is ${href}`);
      await axeCheck(coord, 'accessibility statement');
      await shot(coord, 'accessibility');
    });

    await step('login page: redirect, axe, sign in as coordinator', async () => {
      await coord.goto('/');
      await coord.waitForURL(/\/login/);
      await coord.getByRole('heading', { level: 1, name: 'Logga in' }).waitFor();
      await axeCheck(coord, 'login');
      await shot(coord, 'login');
      // Errors before sending: empty fields.
      await coord.getByRole('button', { name: 'Logga in' }).click();
      await coord.locator('#login-username-error', { hasText: 'måste fyllas i' }).waitFor();
      await login(coord, `coord.${NODE}`);
      await coord.waitForURL(/\/cases$/);
      await navTodoCount(coord);
      const who = await coord.textContent('[data-testid="who"]');
      assert(/Nodkoordinator/.test(who), `header shows role: ${who}`);
    });

    await test('coordinator case list: axe, filters', async () => {
      await coord.getByRole('heading', { level: 1 }).waitFor();
      await coord.waitForSelector('.result-count:not(:empty)');
      await axeCheck(coord, 'case list');
      await shot(coord, 'cases');
    });

    // Open the predicted candidate's queue before the case exists, to see it arrive live.
    await step('actor signs in and opens "Att ta" before the case exists', async () => {
      const who = predicted[0];
      const p = await newPage(browser);
      await login(p, `actor.${who}`);
      await p.waitForURL(/\/queue$/);
      await p.getByRole('heading', { level: 1, name: 'Att ta' }).waitFor();
      await p.waitForSelector('[data-live="open"]');
      actorPages[who] = p;
      // The other expected candidates too (at most three more): they must see the claimed case vanish.
      for (const other of predicted.slice(1, 4)) {
        const q = await newPage(browser);
        await login(q, `actor.${other}`);
        await q.waitForURL(/\/queue$/);
        await q.waitForSelector('[data-live="open"]');
        actorPages[other] = q;
      }
    });

    const org = orgNumber();
    await step('new case: org number checked as you type, errors before sending, create', async () => {
      await coord.click('nav a[href="/cases/new"]');
      await coord.getByRole('heading', { level: 1, name: 'Nytt ärende' }).waitFor();
      await axeCheck(coord, 'new case (empty)');
      // Send empty: inline errors and a summary, nothing sent.
      await coord.getByRole('button', { name: 'Registrera ärendet' }).click();
      await coord.locator('#nc-title-error', { hasText: 'måste fyllas i' }).waitFor();
      await coord.locator('#nc-company-name-error', { hasText: 'måste fyllas i' }).waitFor();
      await coord.locator('.alert-error', { hasText: 'fel' }).first().waitFor();
      await axeCheck(coord, 'new case (with errors)');
      await shot(coord, 'new-case-errors');
      // Wrong check digit is reported while typing.
      await coord.fill('#nc-orgnr', badOrgNumber(org));
      await coord.locator('#nc-orgnr-error', { hasText: 'Kontrollsiffran' }).waitFor();
      await coord.fill('#nc-orgnr', org);
      await coord.locator('#nc-orgnr-ok').waitFor();
      caseTitle = `E2E ${new Date().toISOString().slice(0, 19)} behov av ${need}`;
      await coord.fill('#nc-title', caseTitle);
      await coord.fill('#nc-description', 'Ett tillverkande företag vill växa och söker stöd. Skapat av webbappens webbläsartest.');
      await coord.fill('#nc-company-name', 'Testbolaget E2E AB');
      await coord.fill('#nc-municipality', nodeName);
      await coord.selectOption('#nc-size', 'SMALL');
      await coord.fill('#nc-contact-name', 'Anna Andersson');
      await coord.fill('#nc-contact-email', 'anna@example.se');
      await coord.fill('#nc-contact-phone', '016-10 00 00');
      await shot(coord, 'new-case');
      await coord.getByRole('button', { name: 'Registrera ärendet' }).click();
      // Either straight to the case page, or a result page listing related cases first.
      await Promise.race([
        coord.waitForSelector(caseSel(state.initial)),
        coord.waitForSelector('[data-testid="open-created"]').then(() => coord.click('[data-testid="open-created"]')),
      ]);
      await coord.waitForSelector(caseSel(state.initial));
      caseId = await coord.getAttribute('.case-page', 'data-case-id');
      assert(caseId, 'case id on the page');
      console.log(`     case ${caseId}`);
    });

    await step('coordinator\'s "Att göra": the new case waits to be triaged, counted in the navigation', async () => {
      await navTodoFollows(coord, 'after creating the case', caseId, true);
      await coord.click('nav a[href="/todo"]');
      await coord.getByRole('heading', { level: 1, name: 'Att göra' }).waitFor();
      const row = coord.locator(`section[data-list="waitingOnMe"] tr[data-case-id="${caseId}"]`);
      await row.waitFor();
      assert((await row.textContent()).includes(caseTitle), 'the case is listed by its title');
      await row.locator(`[data-state="${state.initial}"]`).waitFor();
      // The server's list and the page agree.
      const todo = await coord.evaluate(async () => (await fetch('/v1/todo')).json());
      for (const list of ['waitingOnMe', 'slaAtRisk', 'followUpsDue']) {
        const shown = Number(await coord.getAttribute(`section[data-list="${list}"]`, 'data-count'));
        assert(shown === Number(todo[list]?.count ?? 0), `${list}: page ${shown}, API ${todo[list]?.count}`);
      }
      await axeCheck(coord, 'to-do (coordinator)');
      await shot(coord, 'todo');
      await row.locator('a.case-link').click();
      await coord.waitForSelector(caseSel(state.initial));
    });

    await test('case page (NEW): only allowed actions, keyboard dialog (Esc closes, focus restored), axe', async () => {
      const acts = await coord.$$eval('button[data-action]', (bs) => bs.map((b) => b.dataset.action));
      const allowed = await coord.evaluate(async (id) => (await (await fetch(`/v1/cases/${encodeURIComponent(id)}`)).json()).allowedActions || [], caseId);
      assert(JSON.stringify(acts) === JSON.stringify(allowed), `buttons ${acts} ≠ allowedActions ${allowed}`);
      assert(acts.includes(verb.triage), `${verb.triage} offered: ${acts}`);
      await coord.focus(`button[data-action="${verb.triage}"]`);
      await coord.keyboard.press('Enter');
      await coord.locator(`dialog#dlg-${verb.triage}`).waitFor({ state: 'visible' });
      const inDialog = await coord.evaluate(() => !!document.activeElement?.closest('dialog'));
      assert(inDialog, 'focus moved into the dialog');
      await axeCheck(coord, 'triage dialog');
      await shot(coord, 'triage-dialog');
      await coord.keyboard.press('Escape');
      await coord.locator(`dialog#dlg-${verb.triage}`).waitFor({ state: 'detached' });
      const back = await coord.evaluate(() => document.activeElement?.getAttribute('data-action'));
      assert(back === verb.triage, `focus returned to the opener (got ${back})`);
      await axeCheck(coord, 'case page (NEW)');
    });

    await step('coordinator triages: case is MATCHED with candidates and match reasons', async () => {
      await fireAction(coord, verb.triage, async (dlg) => {
        await dlg.locator(`#ad-needs-${need}`).check();
        if (area) await dlg.locator(`#ad-areas-${area}`).check();
      });
      await coord.waitForSelector(caseSel(state.matched));
      candidates = await coord.$$eval('li.candidate[data-actor]', (ls) => ls.map((l) => l.dataset.actor));
      assert(candidates.length > 0, 'candidates listed');
      const reasons = await coord.$$eval('li.candidate [data-reason]', (ls) => ls.map((l) => `${l.dataset.reason} → ${l.textContent}`));
      assert(reasons.some((r) => r.startsWith(`need:${need}`) && /Behov/.test(r)), `need reason shown in Swedish: ${reasons.join('; ')}`);
      await coord.locator('.timeline [data-type="TRIAGED"]').waitFor();
      await coord.locator('.timeline [data-type="ROUTED"]').waitFor();
      console.log(`     candidates: ${candidates.join(', ')}`);
      // Triaged: no longer on the coordinator's list; the navigation count follows live.
      await navTodoFollows(coord, 'after the triage', caseId, false);
      await axeCheck(coord, 'case page (MATCHED)');
      await shot(coord, 'case-matched');
    });

    await step('actor sees the case arrive in "Att ta" live, with why it matched', async () => {
      // The actor is taken from the case's candidates; prefer one whose queue is already open.
      assignee = candidates.find((c) => actorPages[c]) || candidates[0];
      let p = actorPages[assignee];
      const live = !!p;
      if (!p) {
        p = await newPage(browser);
        await login(p, `actor.${assignee}`);
        actorPages[assignee] = p;
      }
      const item = p.locator(`li.queue-item[data-case-id="${caseId}"]`);
      await item.waitFor();
      const why = await item.locator('.why [data-reason]').allTextContents();
      assert(why.length > 0, 'match reasons shown in the queue');
      await axeCheck(p, 'actor queue');
      await shot(p, 'queue');
      assert(live, `the case was matched to ${assignee}, not to the actor whose queue was open (${predicted[0]}): live arrival not observed`);
    });

    await step('actor claims; the case disappears from other candidates\' queues at once', async () => {
      const p = actorPages[assignee];
      const others = Object.entries(actorPages).filter(([a]) => a !== assignee && candidates.includes(a));
      for (const [, q] of others) await q.locator(`li.queue-item[data-case-id="${caseId}"]`).waitFor();
      await p.locator(`li.queue-item[data-case-id="${caseId}"] button[data-action="${verb.claim}"]`).click();
      await p.waitForSelector(caseSel(state.claimed));
      const who = await p.textContent('[data-testid="assignee"]');
      assert(who && who.trim() !== '–', `assignee shown: ${who}`);
      for (const [a, q] of others) {
        await q.locator(`li.queue-item[data-case-id="${caseId}"]`).waitFor({ state: 'detached', timeout: 5000 })
          .catch(() => { throw new Error(`still in ${a}'s queue 5 s after the claim`); });
      }
      if (!others.length) console.log('     (only one candidate: the disappearing check had no other queue to watch)');
    });

    await step('actor\'s "Att göra": the claimed case waits on the actor', async () => {
      const p = actorPages[assignee];
      await p.click('nav a[href="/todo"]');
      await p.getByRole('heading', { level: 1, name: 'Att göra' }).waitFor();
      const row = p.locator(`section[data-list="waitingOnMe"] tr[data-case-id="${caseId}"]`);
      await row.waitFor();
      await row.locator(`[data-state="${state.claimed}"]`).waitFor();
      await p.locator('section[data-list="claimsLapsing"]').waitFor();
      assert(await navTodoCount(p) >= 1, 'the navigation counts it');
      await axeCheck(p, 'to-do (actor)');
      await shot(p, 'todo-actor');
      await row.locator('a.case-link').click();
      await p.waitForSelector(caseSel(state.claimed));
    });

    await step('actor starts and resolves with an outcome', async () => {
      const p = actorPages[assignee];
      await fireAction(p, verb.start);
      await p.waitForSelector(caseSel(state.working));
      await fireAction(p, verb.resolve, async (dlg) => {
        await dlg.locator('#ad-outcome-kind').selectOption(outcomeKind);
        await dlg.locator('#ad-outcome-note').fill('Företaget fick kontakt med rätt rådgivare.');
      });
      await p.waitForSelector(caseSel(state.resolved));
      await axeCheck(p, 'case page (actor, RESOLVED)');
      await shot(p, 'case-actor');
      await p.click('nav a[href="/mine"]');
      await p.getByRole('heading', { level: 1, name: 'Mina ärenden' }).waitFor();
      await p.locator(`tr[data-case-id="${caseId}"]`).waitFor();
      await axeCheck(p, 'my cases');
      await shot(p, 'mine');
    });

    await step('coordinator sees RESOLVED live (no reload) and closes the case', async () => {
      await coord.waitForSelector(caseSel(state.resolved));
      await coord.locator('.timeline [data-type="CLAIMED"]').waitFor();
      await coord.locator('.timeline [data-type="RESOLVED"]').waitFor();
      await fireAction(coord, verb.close, async (dlg) => {
        await dlg.locator('#ad-feedback').fill('Företaget är nöjt.');
      });
      await coord.waitForSelector(caseSel(state.closed));
      await axeCheck(coord, 'case page (CLOSED)');
      await shot(coord, 'case');
    });

    await test('coordinator list shows the closed case; offer inbox', async () => {
      await coord.click('nav a[href="/cases"]');
      await coord.locator(`tr[data-case-id="${caseId}"] [data-state="${state.closed}"]`).waitFor();
      await coord.click('nav a[href="/inbox"]');
      await coord.getByRole('heading', { level: 1 }).waitFor();
      await coord.waitForSelector('.offer-list, .empty');
      await axeCheck(coord, 'offer inbox');
      await shot(coord, 'inbox');
    });

    await test('actor publishes an offer and withdraws it', async () => {
      const p = actorPages[assignee];
      await p.click('nav a[href="/offers"]');
      await p.getByRole('heading', { level: 1, name: 'Erbjudanden' }).waitFor();
      await p.getByRole('button', { name: 'Publicera erbjudande' }).click();
      await p.locator('#of-title-error', { hasText: 'måste fyllas i' }).waitFor();
      const title = `E2E-erbjudande ${Date.now()}`;
      await p.selectOption('#of-kind', 'NETWORK');
      await p.fill('#of-title', title);
      await p.fill('#of-description', 'Nätverksträff för företag.');
      await p.locator(`#of-needs-${need}`).check();
      await p.fill('#of-url', 'https://example.se/natverk');
      await p.getByRole('button', { name: 'Publicera erbjudande' }).click();
      const card = p.locator('li.card', { hasText: title });
      await card.waitFor();
      await axeCheck(p, 'offers');
      await shot(p, 'offers');
      await card.getByRole('button', { name: /Dra tillbaka/ }).click();
      await p.locator('dialog#dlg-withdraw-offer').getByRole('button', { name: 'Dra tillbaka' }).click();
      await p.locator('li.card', { hasText: title }).getByText('Tillbakadraget').waitFor();
    });

    await test('manager dashboard shows the case in figures and charts', async () => {
      const mgr = await newPage(browser);
      await login(mgr, 'manager');
      await mgr.waitForURL(/\/dashboard/);
      await mgr.waitForSelector('[data-kpi="total"] .kpi-value');
      const total = Number((await mgr.textContent('[data-kpi="total"] .kpi-value')).replace(/\D/g, ''));
      assert(total >= 1, `total cases ${total}`);
      await mgr.waitForSelector('[data-chart="flow"] canvas');
      await mgr.waitForSelector('[data-chart="by-node"] canvas');
      const actorName = ((config.actors || []).find((a) => a.id === assignee) || {}).name || assignee;
      const flowTable = await mgr.locator('[data-chart="flow"] ~ details table').textContent();
      assert(flowTable.includes(actorName), `flow contains ${actorName}`);
      const nodeTable = await mgr.locator('[data-chart="by-node"] ~ details table').textContent();
      assert(nodeTable.includes(nodeName), `by-node contains ${nodeName}`);
      // Filters apply to every chart and to the export link.
      await mgr.selectOption('#d-node', NODE);
      await mgr.waitForURL(new RegExp(`node=${NODE}`));
      const csv = await mgr.getAttribute('[data-testid="export-csv"]', 'href');
      assert(csv.includes(`node=${NODE}`), `CSV link carries the filter: ${csv}`);
      await mgr.waitForSelector('[data-chart="flow"] canvas');
      await axeCheck(mgr, 'dashboard');
      await shot(mgr, 'dashboard');
      await mgr.click('nav a[href="/workflow"]');
      await mgr.waitForSelector('svg.wf');
      await axeCheck(mgr, 'workflow');
      await shot(mgr, 'workflow');
    });

    await test('phone width (375 px): case list and new-case form, axe', async () => {
      const p = await newPage(browser, { viewport: { width: 375, height: 740 } });
      await login(p, `coord.${NODE}`);
      await p.waitForURL(/\/cases$/);
      await p.waitForSelector('.result-count:not(:empty)');
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
      assert(!overflow, 'no horizontal scrolling at 375 px');
      await axeCheck(p, 'case list (375 px)');
      await shot(p, 'mobile-cases');
      await p.goto(`/cases/${encodeURIComponent(caseId)}`);
      await p.waitForSelector(caseSel(state.closed));
      await shot(p, 'mobile-case');
    });

    await test('expired session and lost connection are shown as such; typed content is kept', async () => {
      await coord.click('nav a[href="/cases/new"]');
      await coord.getByRole('heading', { level: 1, name: 'Nytt ärende' }).waitFor();
      await coord.fill('#nc-title', 'Utkast som inte får försvinna');
      await coord.fill('#nc-company-name', 'Utkastbolaget AB');
      await coord.fill('#nc-orgnr', orgNumber());
      // Lost connection: the request fails, the form says so and keeps its content.
      await coord.context().setOffline(true);
      await coord.getByRole('button', { name: 'Registrera ärendet' }).click();
      await coord.locator('.alert', { hasText: 'Ingen kontakt med servern' }).first().waitFor();
      assert((await coord.inputValue('#nc-title')) === 'Utkast som inte får försvinna', 'title kept after a network error');
      await coord.context().setOffline(false);
      // Expired session: drop the cookie; the next request answers 401 and the banner asks to sign in again.
      await coord.context().clearCookies();
      await coord.getByRole('button', { name: 'Registrera ärendet' }).click();
      await coord.locator('.session-expired').waitFor();
      await axeCheck(coord, 'session expired banner');
      await shot(coord, 'session-expired');
      await coord.fill('#relogin-password', PASSWORD);
      await coord.locator('.session-expired').getByRole('button', { name: 'Logga in' }).click();
      await coord.locator('.session-expired').waitFor({ state: 'detached' });
      assert((await coord.inputValue('#nc-title')) === 'Utkast som inte får försvinna', 'title kept after signing in again');
      // And across a reload (sessionStorage draft).
      await coord.reload();
      await coord.getByRole('heading', { level: 1, name: 'Nytt ärende' }).waitFor();
      assert((await coord.inputValue('#nc-company-name')) === 'Utkastbolaget AB', 'draft restored after reload');
      await coord.locator('.alert-info', { hasText: 'utkast' }).waitFor();
      await coord.click('nav a[href="/inbox"]');
      await coord.getByRole('heading', { level: 1 }).waitFor();
    });

    await test('English switch', async () => {
      await coord.getByRole('button', { name: 'Switch to English' }).click();
      await coord.getByRole('heading', { level: 1, name: /Offers to/ }).waitFor();
      assert((await coord.getAttribute('html', 'lang')) === 'en', 'html lang=en');
      await coord.locator('[data-testid="nav-todo"]', { hasText: 'To do' }).waitFor();
      await coord.click('nav a[href="/todo"]');
      await coord.getByRole('heading', { level: 1, name: 'To do' }).waitFor();
      await coord.getByRole('heading', { level: 2, name: /New cases to triage/ }).waitFor();
      await axeCheck(coord, 'to-do (English)');
      await coord.getByRole('button', { name: 'Byt till svenska' }).click();
    });

    await test('no Content-Security-Policy violations and no script errors', async () => {
      const csp = allPages.flatMap((p) => p.csp);
      const errs = allPages.flatMap((p) => p.errors);
      assert(csp.length === 0, `CSP: ${csp.slice(0, 3).join(' | ')}`);
      assert(errs.length === 0, `page errors: ${errs.slice(0, 3).join(' | ')}`);
    });
  } finally {
    await browser.close();
  }
}

main()
  .catch((e) => { failed++; failures.push(`setup: ${e.message}`); console.log(`FAIL setup: ${e.message}`); })
  .finally(() => {
    console.log(`\n${passed} passed, ${failed} failed`);
    if (failures.length) console.log(failures.map((f) => `  - ${f}`).join('\n'));
    process.exit(failed ? 1 : 0);
  });
