// The HTTP client for /v1 (docs/API.md). Same origin, cookie session: the cookie is HttpOnly and
// SameSite=Strict, and every mutating request carries `X-Requested-With: tillvaxt`, which the
// server requires as CSRF protection for cookie-authenticated mutations. The bearer token from
// login is deliberately not kept (nothing readable by scripts authenticates).
import type { FieldError } from './types';

export class ApiError extends Error {
  constructor(
    readonly httpStatus: number, // 0 = no answer (network)
    readonly status: string, // INVALID_ARGUMENT, ABORTED, ... or NETWORK
    message: string,
    readonly details: FieldError[] = [],
  ) {
    super(message);
  }
  get isNetwork(): boolean { return this.httpStatus === 0; }
  get isConflict(): boolean { return this.httpStatus === 409 && this.status === 'ABORTED'; }
  get isUnauthenticated(): boolean { return this.httpStatus === 401; }
  /** The API's description for one field ("company.orgNumber"), if it named it. */
  fieldError(field: string): string | undefined {
    return this.details.find((d) => d.field === field)?.description;
  }
}

type Listener = (e: ApiError) => void;
const authListeners = new Set<Listener>();
const netListeners = new Set<(ok: boolean) => void>();

/** Called when any request (other than login) answers 401: the session has expired. */
export function onUnauthenticated(l: Listener): () => void {
  authListeners.add(l);
  return () => authListeners.delete(l);
}
/** Called with false when a request gets no answer, true when one gets through again. */
export function onNetwork(l: (ok: boolean) => void): () => void {
  netListeners.add(l);
  return () => netListeners.delete(l);
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined | null | string[]>;
  signal?: AbortSignal;
}

export function buildQuery(q?: RequestOptions['query']): string {
  if (!q) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) v.forEach((x) => p.append(k, x));
    else p.append(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

export async function request<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') headers['X-Requested-With'] = 'tillvaxt';
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path + buildQuery(opts.query), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
      signal: opts.signal,
    });
  } catch (err) {
    if ((err as Error)?.name === 'AbortError') throw err;
    const e = new ApiError(0, 'NETWORK', (err as Error)?.message || 'network error');
    netListeners.forEach((l) => l(false));
    throw e;
  }
  netListeners.forEach((l) => l(true));
  const text = await res.text();
  let data: unknown = undefined;
  if (text) {
    try { data = JSON.parse(text); } catch { data = undefined; }
  }
  if (!res.ok) {
    const err = (data as { error?: { code?: number; status?: string; message?: string; details?: FieldError[] } })?.error;
    const e = new ApiError(res.status, err?.status ?? String(res.status), err?.message ?? res.statusText, err?.details ?? []);
    if (res.status === 401 && !(method === 'POST' && path === '/v1/sessions')) authListeners.forEach((l) => l(e));
    throw e;
  }
  return data as T;
}

export const get = <T>(path: string, query?: RequestOptions['query'], signal?: AbortSignal) =>
  request<T>('GET', path, undefined, { query, signal });
export const post = <T>(path: string, body: unknown = {}) => request<T>('POST', path, body);
export const del = <T>(path: string) => request<T>('DELETE', path);

/** POST /v1/cases/{id}:<verb>; the id is path-escaped, the verb is a workflow transition name. */
export const caseAction = <T>(id: string, verb: string, body: Record<string, unknown>) =>
  post<T>(`/v1/cases/${encodeURIComponent(id)}:${verb}`, body);
