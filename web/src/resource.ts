// Loading data for a view: refetches when its key changes and on every live-stream tick,
// keeps showing the previous data while a refetch is under way (no flicker), and drops
// answers that arrive out of order.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useAppState } from './store';
import { ApiError } from './api';

export interface Resource<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  /** Date.now() when the request behind `data` was sent. */
  fetchedAt: number;
  reload: () => void;
}

export function useResource<T>(fetcher: (signal: AbortSignal) => Promise<T>, key: string, opts: { live?: boolean; enabled?: boolean } = {}): Resource<T> {
  const { liveTick } = useAppState();
  const live = opts.live !== false;
  const enabled = opts.enabled !== false;
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [loading, setLoading] = useState(false);
  const [nonce, setNonce] = useState(0);
  const seq = useRef(0);
  const [fetchedAt, setFetchedAt] = useState(0);
  const lastKey = useRef(key);

  useEffect(() => {
    if (!enabled) return;
    if (lastKey.current !== key) {
      lastKey.current = key;
      setData(undefined);
    }
    const my = ++seq.current;
    const ctl = new AbortController();
    setLoading(true);
    const started = Date.now();
    fetcher(ctl.signal).then(
      (d) => { if (my === seq.current) { setData(d); setFetchedAt(started); setError(undefined); setLoading(false); } },
      (e: unknown) => {
        if ((e as Error)?.name === 'AbortError') return;
        if (my === seq.current) {
          setError(e instanceof ApiError ? e : new ApiError(0, 'UNKNOWN', String(e)));
          setLoading(false);
        }
      },
    );
    return () => ctl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, nonce, enabled, live ? liveTick : 0]);

  return { data, error, loading, fetchedAt, reload: () => setNonce((n) => n + 1) };
}
