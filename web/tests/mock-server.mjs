// A small in-memory stand-in for the engine's /v1 API (docs/API.md), for developing and
// self-testing the web app while the engine is not available. NOT the product: it implements
// just enough (sessions, config, workflow, cases with the main actions, events, offers, stats,
// SSE stream) with simplified rules. Serves web/dist with the engine's CSP and the SPA fallback.
//   node tests/mock-server.mjs            (PORT=8090, TILLVAXT_DEMO_PASSWORD=demo)
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const DIST = path.resolve(here, '../dist');
const PORT = Number(process.env.PORT || 8090);
const PASSWORD = process.env.TILLVAXT_DEMO_PASSWORD || 'demo';

const config = {
  nodes: [{ id: 'eskilstuna', name: 'Eskilstuna' }, { id: 'nykoping', name: 'Nyköping' }, { id: 'strangnas', name: 'Strängnäs' }, { id: 'katrineholm', name: 'Katrineholm' }],
  levels: ['LOCAL', 'REGIONAL', 'NATIONAL', 'INTERNATIONAL'],
  needs: [['financing', 'Finansiering'], ['business-development', 'Affärsutveckling'], ['competence', 'Kompetens'], ['recruitment', 'Rekrytering'], ['growth', 'Tillväxt'], ['innovation', 'Innovation'], ['internationalisation', 'Internationalisering']].map(([id, name]) => ({ id, name })),
  areas: [['avancerad-tillverkning', 'Avancerad tillverkning för krävande miljöer'], ['digitala-tjanster', 'Verksamhetsnära digitala tjänster'], ['smart-industri', 'Smart industri'], ['life-science', 'Life Science med välfärd och hälsa']].map(([id, name]) => ({ id, name })),
  actors: [
    { id: 'mitc', name: 'MITC – Mälardalens Innovation & Technology Center', level: 'LOCAL', needs: ['innovation', 'business-development', 'growth'], areas: ['avancerad-tillverkning', 'digitala-tjanster', 'smart-industri'], nodes: ['eskilstuna'] },
    { id: 'munktell-science-park', name: 'Munktell Science Park', level: 'LOCAL', needs: ['innovation', 'business-development', 'growth', 'financing'], areas: [], nodes: ['eskilstuna'] },
    { id: 'naringsliv-eskilstuna', name: 'Eskilstuna kommun – näringsliv', level: 'LOCAL', needs: ['business-development', 'growth', 'recruitment', 'competence'], areas: [], nodes: ['eskilstuna'] },
    { id: 'almi', name: 'Almi Företagspartner Mälardalen', level: 'REGIONAL', needs: ['financing', 'business-development'], areas: [], nodes: [] },
    { id: 'rise', name: 'RISE', level: 'NATIONAL', needs: ['innovation'], areas: [], nodes: [] },
    { id: 'business-sweden', name: 'Business Sweden', level: 'NATIONAL', needs: ['internationalisation'], areas: [], nodes: [] },
  ],
};
const T = (name, from, to, roles, reason = false) => ({ name, from, to, roles, reason });
const transitions = [
  T('triage', ['NEW'], 'TRIAGED', ['COORDINATOR/OWN_NODE']),
  T('escalate', ['MATCHED', 'CLAIMED', 'IN_PROGRESS'], '', ['COORDINATOR/OWN_NODE', 'ACTOR/CANDIDATE', 'ACTOR/ASSIGNEE'], true),
  T('claim', ['MATCHED'], 'CLAIMED', ['ACTOR/CANDIDATE']),
  T('decline', ['MATCHED'], '', ['ACTOR/CANDIDATE'], true),
  T('release', ['CLAIMED', 'IN_PROGRESS'], 'MATCHED', ['ACTOR/ASSIGNEE'], true),
  T('start', ['CLAIMED'], 'IN_PROGRESS', ['ACTOR/ASSIGNEE']),
  T('wait', ['IN_PROGRESS'], 'WAITING', ['ACTOR/ASSIGNEE'], true),
  T('resume', ['WAITING'], 'IN_PROGRESS', ['ACTOR/ASSIGNEE']),
  T('reassign', ['CLAIMED', 'IN_PROGRESS', 'WAITING'], '', ['MANAGER', 'ACTOR/ASSIGNEE'], true),
  T('resolve', ['CLAIMED', 'IN_PROGRESS', 'WAITING'], 'RESOLVED', ['ACTOR/ASSIGNEE']),
  T('reopen', ['RESOLVED'], 'IN_PROGRESS', ['COORDINATOR/OWN_NODE', 'ACTOR/ASSIGNEE'], true),
  T('close', ['RESOLVED'], 'CLOSED', ['COORDINATOR/OWN_NODE']),
  T('withdraw', ['NEW', 'TRIAGED', 'MATCHED', 'CLAIMED', 'IN_PROGRESS', 'WAITING'], 'WITHDRAWN', ['COORDINATOR/OWN_NODE'], true),
  T('reject', ['NEW', 'TRIAGED'], 'REJECTED', ['COORDINATOR/OWN_NODE'], true),
  T('followUp', ['RESOLVED', 'CLOSED'], '', ['COORDINATOR/OWN_NODE']),
  T('recordEffect', ['CLOSED'], '', ['COORDINATOR/OWN_NODE']),
  T('linkOffer', ['NEW', 'TRIAGED', 'MATCHED', 'CLAIMED', 'IN_PROGRESS', 'WAITING'], '', ['COORDINATOR/OWN_NODE', 'ACTOR/ASSIGNEE']),
];
const STATES = ['NEW', 'TRIAGED', 'MATCHED', 'CLAIMED', 'IN_PROGRESS', 'WAITING', 'RESOLVED', 'CLOSED', 'UNMATCHED', 'WITHDRAWN', 'REJECTED'];
const TERMINAL = ['CLOSED', 'UNMATCHED', 'WITHDRAWN', 'REJECTED'];
const OPEN = ['NEW', 'TRIAGED', 'MATCHED', 'CLAIMED', 'IN_PROGRESS', 'WAITING'];

const users = new Map();
config.nodes.forEach((n) => users.set(`coord.${n.id}`, { username: `coord.${n.id}`, role: 'COORDINATOR', node: n.id }));
config.actors.forEach((a) => users.set(`actor.${a.id}`, { username: `actor.${a.id}`, role: 'ACTOR', actor: a.id }));
users.set('manager', { username: 'manager', role: 'MANAGER' });
users.set('admin', { username: 'admin', role: 'ADMIN' });
const sessions = new Map();
const cases = new Map();
const events = new Map();
const offers = new Map();
const streams = new Set();
let seqId = 0;

const now = () => new Date().toISOString();
const err = (code, status, message, details) => ({ code, body: { error: { code, status, message, details } } });

function luhn(d) { let s = 0; for (let i = 0; i < 10; i++) { let x = +d[i]; if (i % 2 === 0) { x *= 2; if (x > 9) x -= 9; } s += x; } return s % 10 === 0; }
function orgOk(t) { const d = (t || '').replace('-', ''); return /^\d{10}$/.test(d) && luhn(d); }

function permitted(c, u, t) {
  return t.roles.some((r) => {
    const [role, scope] = r.split('/');
    if (role !== u.role) return false;
    if (!scope) return true;
    if (scope === 'OWN_NODE') return u.node === c.node;
    if (scope === 'CANDIDATE') return (c.candidates || []).includes(u.actor);
    if (scope === 'ASSIGNEE') return c.assignee === u.actor;
    return false;
  });
}
const allowed = (c, u) => transitions.filter((t) => t.from.includes(c.state) && permitted(c, u, t)).map((t) => t.name);
const visible = (c, u) => u.role === 'MANAGER' || u.role === 'ADMIN' || (u.role === 'COORDINATOR' && u.node === c.node) || (u.role === 'ACTOR' && (c.involved || []).includes(u.actor));
function view(c, u) {
  const { involved, ...v } = JSON.parse(JSON.stringify(c));
  v.allowedActions = allowed(c, u);
  if (u.role === 'ACTOR' && c.assignee !== u.actor) { v.anonymised = true; delete v.company.name; delete v.company.orgNumber; delete v.contact; v.company = { municipality: c.company.municipality, size: c.company.size }; }
  return JSON.parse(JSON.stringify(v));
}
function emit(c, e) {
  const ev = { seq: ++c.version, caseId: c.id, time: now(), level: c.level, ...e };
  events.get(c.id).push(ev);
  c.updateTime = ev.time;
  const line = `data: ${JSON.stringify(ev)}\n\n`;
  streams.forEach((s) => { if (visible(c, s.user)) s.res.write(line); });
}
function route(c, user) {
  for (let li = config.levels.indexOf(c.level); li < config.levels.length; li++) {
    const level = config.levels[li];
    if (level !== c.level) { const from = c.level; c.level = level; c.highestLevel = level; emit(c, { type: 'ESCALATED', user, fromState: c.state, toState: c.state, fromLevel: from, reason: 'NO_MATCH' }); }
    const ms = config.actors.filter((a) => a.level === level && !(c.declined || []).includes(a.id)
      && a.needs.some((n) => c.needs.includes(n)) && (!a.areas.length || !c.areas.length || a.areas.some((x) => c.areas.includes(x)))
      && (level !== 'LOCAL' || !a.nodes.length || a.nodes.includes(c.node)))
      .map((a) => {
        const load = [...cases.values()].filter((x) => x.assignee === a.id && OPEN.includes(x.state)).length;
        const reasons = [...a.needs.filter((n) => c.needs.includes(n)).map((n) => `need:${n}`), ...a.areas.filter((x) => c.areas.includes(x)).map((x) => `area:${x}`), ...(a.nodes.includes(c.node) ? [`node:${c.node}`] : []), `load:${load}`];
        return { actor: a.id, score: reasons.filter((r) => r.startsWith('need')).length * 2 + reasons.filter((r) => r.startsWith('area')).length + (a.nodes.includes(c.node) ? 0.5 : 0), reasons };
      }).sort((a, b) => b.score - a.score);
    if (ms.length) {
      const from = c.state; c.state = 'MATCHED'; c.matches = ms; c.candidates = ms.map((m) => m.actor);
      c.involved = [...new Set([...(c.involved || []), ...c.candidates])];
      c.deadline = new Date(Date.now() + 5 * 86400e3).toISOString();
      emit(c, { type: 'ROUTED', user, fromState: from, toState: 'MATCHED', matches: ms });
      return;
    }
  }
  const from = c.state; c.state = 'UNMATCHED'; c.candidates = []; c.matches = []; delete c.deadline;
  emit(c, { type: 'UNMATCHED', user, fromState: from, toState: 'UNMATCHED' });
}

function action(c, u, verb, b) {
  const t = transitions.find((x) => x.name === verb);
  if (!t) return err(404, 'NOT_FOUND', `unknown action ${verb}`);
  if (verb === 'claim' && c.assignee && u.role === 'ACTOR' && (c.involved || []).includes(u.actor)) return err(409, 'ABORTED', 'case already claimed by another actor');
  if (b.expectedVersion && Number(b.expectedVersion) !== c.version) return err(409, 'ABORTED', 'version mismatch');
  if (!t.from.includes(c.state)) return err(409, 'FAILED_PRECONDITION', `cannot ${verb} a case in state ${c.state}`);
  if (!permitted(c, u, t)) return err(403, 'PERMISSION_DENIED', 'not allowed');
  if (t.reason && !(b.reason || '').trim()) return err(400, 'INVALID_ARGUMENT', 'reason required', [{ field: 'reason', description: 'Ange en anledning.' }]);
  const from = c.state;
  const who = u.username;
  switch (verb) {
    case 'triage':
      if (!(b.needs || []).length) return err(400, 'INVALID_ARGUMENT', 'needs required', [{ field: 'needs', description: 'Minst ett behov.' }]);
      c.needs = b.needs; c.areas = b.areas || []; c.state = 'TRIAGED';
      emit(c, { type: 'TRIAGED', action: verb, user: who, fromState: from, toState: 'TRIAGED', needs: c.needs, areas: c.areas });
      route(c, who); break;
    case 'claim':
      c.assignee = u.actor; c.candidates = []; c.state = 'CLAIMED'; c.deadline = new Date(Date.now() + 3 * 86400e3).toISOString();
      emit(c, { type: 'CLAIMED', action: verb, user: who, actor: u.actor, fromState: from, toState: 'CLAIMED' }); break;
    case 'decline':
      c.candidates = c.candidates.filter((a) => a !== u.actor); c.matches = c.matches.filter((m) => m.actor !== u.actor); c.declined = [...(c.declined || []), u.actor];
      emit(c, { type: 'DECLINED', action: verb, user: who, actor: u.actor, fromState: from, toState: from, reason: b.reason });
      if (!c.candidates.length) { const li = config.levels.indexOf(c.level); if (li + 1 < config.levels.length) { c.level = config.levels[li + 1]; c.declined = []; } route(c, who); }
      break;
    case 'resolve':
      if (!b.outcome?.kind) return err(400, 'INVALID_ARGUMENT', 'outcome required', [{ field: 'outcome.kind', description: 'Välj ett utfall.' }]);
      c.outcome = b.outcome; c.state = 'RESOLVED'; delete c.deadline;
      emit(c, { type: 'RESOLVED', action: verb, user: who, fromState: from, toState: 'RESOLVED', outcome: b.outcome }); break;
    case 'linkOffer':
      c.offerIds = [...(c.offerIds || []), b.offerId];
      emit(c, { type: 'OFFER_LINKED', action: verb, user: who, fromState: from, toState: from, offerId: b.offerId }); break;
    default:
      if (!t.to) return err(501, 'UNIMPLEMENTED', `${verb} is not in the mock`);
      c.state = t.to;
      if (t.to === 'MATCHED') { c.declined = [...(c.declined || []), c.assignee]; c.assignee = ''; route(c, who); break; }
      if (verb === 'close') c.feedback = b.feedback;
      if (TERMINAL.includes(t.to)) delete c.deadline;
      emit(c, { type: 'TRANSITIONED', action: verb, user: who, fromState: from, toState: t.to, reason: b.reason, feedback: b.feedback });
  }
  return { code: 200, body: view(c, u) };
}

function stats(q) {
  return [...cases.values()].filter((c) => (!q.node || c.node === q.node) && (!q.need || c.needs.includes(q.need)) && (!q.area || c.areas.includes(q.area))
    && (!q.from || c.createTime >= q.from) && (!q.to || c.createTime <= q.to));
}
function countBy(list, f) { return list.reduce((m, c) => { [].concat(f(c)).filter(Boolean).forEach((k) => { m[k] = (m[k] || 0) + 1; }); return m; }, {}); }

async function body(req) {
  const chunks = [];
  for await (const ch of req) chunks.push(ch);
  const t = Buffer.concat(chunks).toString();
  return t ? JSON.parse(t) : {};
}

function serveStatic(req, res, pathname) {
  let file = path.join(DIST, decodeURIComponent(pathname));
  if (!file.startsWith(DIST) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) file = path.join(DIST, 'index.html');
  const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };
  res.writeHead(200, { 'Content-Type': types[path.extname(file)] || 'application/octet-stream', 'Content-Security-Policy': "default-src 'self'", 'X-Content-Type-Options': 'nosniff' });
  fs.createReadStream(file).pipe(res);
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const p = url.pathname;
  if (!p.startsWith('/v1/')) return serveStatic(req, res, p);
  const send = ({ code, body: b }) => { res.writeHead(code, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(b)); };
  const cookie = Object.fromEntries((req.headers.cookie || '').split(';').map((x) => x.trim().split('=')));
  const u = sessions.get(cookie.tv_session);
  const q = Object.fromEntries(url.searchParams);
  try {
    if (req.method !== 'GET' && req.headers['x-requested-with'] !== 'tillvaxt') return send(err(403, 'PERMISSION_DENIED', 'missing X-Requested-With'));
    if (p === '/v1/sessions' && req.method === 'POST') {
      const b = await body(req);
      const user = users.get(b.username);
      if (!user || b.password !== PASSWORD) return send(err(401, 'UNAUTHENTICATED', 'bad credentials'));
      const tok = crypto.randomBytes(16).toString('hex');
      sessions.set(tok, user);
      res.setHeader('Set-Cookie', `tv_session=${tok}; HttpOnly; SameSite=Strict; Path=/`);
      return send({ code: 200, body: { token: tok, user } });
    }
    if (!u) return send(err(401, 'UNAUTHENTICATED', 'no session'));
    if (p === '/v1/sessions/current' && req.method === 'DELETE') { sessions.delete(cookie.tv_session); return send({ code: 200, body: {} }); }
    if (p === '/v1/me') return send({ code: 200, body: u });
    if (p === '/v1/config') return send({ code: 200, body: config });
    if (p === '/v1/workflow') return send({ code: 200, body: { states: STATES.map((name) => ({ name, terminal: TERMINAL.includes(name) })), transitions: transitions.map(({ name, from, to, roles }) => ({ name, from, to, roles })) } });
    if (p === '/v1/stream') {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
      res.write(': hello\n\n');
      const s = { res, user: u };
      streams.add(s);
      const ka = setInterval(() => res.write(': ka\n\n'), 15000);
      req.on('close', () => { clearInterval(ka); streams.delete(s); });
      return;
    }
    if (p === '/v1/cases' && req.method === 'POST') {
      if (u.role !== 'COORDINATOR') return send(err(403, 'PERMISSION_DENIED', 'coordinators only'));
      const b = await body(req);
      const det = [];
      if (!(b.title || '').trim()) det.push({ field: 'title', description: 'Rubrik krävs.' });
      if (!(b.company?.name || '').trim()) det.push({ field: 'company.name', description: 'Företagets namn krävs.' });
      if (!orgOk(b.company?.orgNumber)) det.push({ field: 'company.orgNumber', description: 'Ogiltigt organisationsnummer.' });
      if (det.length) return send(err(400, 'INVALID_ARGUMENT', 'invalid case', det));
      const id = `c-${String(++seqId).padStart(4, '0')}`;
      const c = { id, title: b.title, description: b.description, company: b.company, contact: b.contact, needs: b.needs || [], areas: b.areas || [], node: u.node, level: 'LOCAL', highestLevel: 'LOCAL', state: 'NEW', candidates: [], matches: [], assignee: '', version: 0, createTime: now(), involved: [], offerIds: [] };
      cases.set(id, c); events.set(id, []);
      emit(c, { type: 'CREATED', user: u.username, fromState: '', toState: 'NEW' });
      const related = [...cases.values()].filter((x) => x.id !== id && x.company.orgNumber === c.company.orgNumber && x.node !== c.node && OPEN.includes(x.state));
      return send({ code: 201, body: { case: view(c, u), relatedCases: related.map((x) => view(x, u)) } });
    }
    if (p === '/v1/cases') {
      let list = [...cases.values()].filter((c) => visible(c, u));
      if (q.candidate === 'me') list = list.filter((c) => (c.candidates || []).includes(u.actor));
      if (q.assignee) list = list.filter((c) => c.assignee === (q.assignee === 'me' ? u.actor : q.assignee));
      for (const k of ['state', 'level', 'node']) if (q[k]) list = list.filter((c) => c[k] === q[k]);
      if (q.need) list = list.filter((c) => c.needs.includes(q.need));
      if (q.area) list = list.filter((c) => c.areas.includes(q.area));
      if (q.q) list = list.filter((c) => JSON.stringify([c.title, c.description, c.company.name]).toLowerCase().includes(q.q.toLowerCase()));
      return send({ code: 200, body: { cases: list.reverse().map((c) => view(c, u)) } });
    }
    const m = /^\/v1\/cases\/([^/:]+)(?::(\w+)|\/(events|suggestedOffers))?$/.exec(p);
    if (m) {
      const c = cases.get(decodeURIComponent(m[1]));
      if (!c || !visible(c, u)) return send(err(404, 'NOT_FOUND', 'no such case'));
      if (m[2] && req.method === 'POST') return send(action(c, u, m[2], await body(req)));
      if (m[3] === 'events') return send({ code: 200, body: { events: events.get(c.id) } });
      if (m[3] === 'suggestedOffers') return send({ code: 200, body: { offers: [...offers.values()].filter((o) => o.state === 'PUBLISHED' && o.needs.some((n) => c.needs.includes(n))) } });
      return send({ code: 200, body: view(c, u) });
    }
    if (p === '/v1/offers' && req.method === 'POST') {
      const b = await body(req);
      if (u.role !== 'ACTOR') return send(err(403, 'PERMISSION_DENIED', 'actors only'));
      if (!(b.title || '').trim()) return send(err(400, 'INVALID_ARGUMENT', 'title', [{ field: 'title', description: 'Rubrik krävs.' }]));
      const id = `o-${++seqId}`;
      const a = config.actors.find((x) => x.id === u.actor);
      const o = { id, actor: u.actor, level: a.level, state: 'PUBLISHED', needs: [], areas: [], nodes: [], ...b };
      offers.set(id, o);
      streams.forEach((s) => s.res.write(`event: offer\ndata: ${JSON.stringify({ offerId: id })}\n\n`));
      return send({ code: 201, body: o });
    }
    if (p === '/v1/offers') return send({ code: 200, body: { offers: [...offers.values()].filter((o) => q.active !== 'true' || o.state === 'PUBLISHED').reverse() } });
    const om = /^\/v1\/offers\/([^/:]+)(?::withdraw)?$/.exec(p);
    if (om) {
      const o = offers.get(om[1]);
      if (!o) return send(err(404, 'NOT_FOUND', 'no such offer'));
      if (req.method === 'POST') { if (o.actor !== u.actor) return send(err(403, 'PERMISSION_DENIED', 'not yours')); o.state = 'WITHDRAWN'; }
      return send({ code: 200, body: o });
    }
    const im = /^\/v1\/nodes\/([^/]+)\/inbox$/.exec(p);
    if (im) {
      const items = [...offers.values()].filter((o) => o.state === 'PUBLISHED' && (!o.nodes.length || o.nodes.includes(im[1])))
        .map((o) => ({ offer: o, cases: [...cases.values()].filter((c) => c.node === im[1] && OPEN.includes(c.state) && c.needs.some((n) => o.needs.includes(n))).map((c) => view(c, u)) }));
      return send({ code: 200, body: { items } });
    }
    if (p.startsWith('/v1/stats/')) {
      if (u.role !== 'MANAGER' && u.role !== 'ADMIN') return send(err(403, 'PERMISSION_DENIED', 'managers only'));
      const list = stats(q);
      if (p === '/v1/stats/summary') {
        return send({ code: 200, body: {
          total: list.length, byState: countBy(list, (c) => c.state), byNode: countBy(list, (c) => c.node), byLevelReached: countBy(list, (c) => c.highestLevel),
          byNeed: countBy(list, (c) => c.needs), byArea: countBy(list, (c) => c.areas), byOutcome: countBy(list, (c) => c.outcome?.kind),
          escalationRate: list.length ? list.filter((c) => c.highestLevel !== 'LOCAL').length / list.length : 0,
          leakage: list.length ? list.filter((c) => c.state === 'UNMATCHED').length / list.length : 0,
          timeToClaim: { p50: '5400s', p90: '86400s' }, timeToResolve: { p50: '259200s', p90: '864000s' }, idleTime: { p50: '3600s', p90: '7200s' },
          openAge: { '0-1': list.filter((c) => OPEN.includes(c.state)).length }, slaBreaches: 0,
        } });
      }
      if (p === '/v1/stats/flow') {
        const links = {};
        const add = (a, b) => { const k = `${a}|${b}`; links[k] = (links[k] || 0) + 1; };
        list.forEach((c) => { add(`node:${c.node}`, `level:${c.highestLevel}`); if (c.assignee) { add(`level:${c.highestLevel}`, `actor:${c.assignee}`); if (c.outcome?.kind) add(`actor:${c.assignee}`, `outcome:${c.outcome.kind}`); } });
        return send({ code: 200, body: { links: Object.entries(links).map(([k, value]) => { const [source, target] = k.split('|'); return { source, target, value }; }) } });
      }
      if (p === '/v1/stats/timeseries') {
        const day = new Date(); day.setUTCHours(0, 0, 0, 0);
        const pts = [3, 2, 1, 0].map((w) => ({ start: new Date(day.getTime() - w * 7 * 86400e3).toISOString(), value: w === 0 ? list.filter((c) => q.metric === 'created' || (q.metric === 'resolved' ? c.outcome : c.highestLevel !== 'LOCAL')).length : w }));
        return send({ code: 200, body: { points: pts } });
      }
      if (p === '/v1/stats/export.csv') { res.writeHead(200, { 'Content-Type': 'text/csv' }); return res.end(`id,node,state\n${list.map((c) => `${c.id},${c.node},${c.state}`).join('\n')}\n`); }
    }
    return send(err(404, 'NOT_FOUND', `no route ${p}`));
  } catch (e) {
    return send(err(500, 'INTERNAL', String(e)));
  }
});
server.listen(PORT, '127.0.0.1', () => console.log(`mock Tillväxt API and web app on http://127.0.0.1:${PORT} (password ${PASSWORD === 'demo' ? 'demo' : 'from env'})`));
