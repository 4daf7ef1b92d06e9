// Form drafts kept in sessionStorage so typed content survives an expired session, a lost
// connection or a reload; cleared once the server accepted the form.
import { useEffect, useRef, useState } from 'preact/hooks';

const PREFIX = 'tillvaxt.draft.';

export function loadDraft<T>(key: string): T | null {
  try {
    const v = sessionStorage.getItem(PREFIX + key);
    return v ? (JSON.parse(v) as T) : null;
  } catch {
    return null;
  }
}

export function saveDraft<T>(key: string, value: T): void {
  try { sessionStorage.setItem(PREFIX + key, JSON.stringify(value)); } catch { /* full or disabled */ }
}

export function clearDraft(key: string): void {
  try { sessionStorage.removeItem(PREFIX + key); } catch { /* ignore */ }
}

/**
 * State backed by a draft: starts from the stored draft when there is one (restored = true),
 * and writes every change back.
 */
export function useDraft<T>(key: string, initial: T): [T, (v: T | ((old: T) => T)) => void, boolean, () => void] {
  const stored = useRef(loadDraft<T>(key));
  const [value, setValue] = useState<T>(() => (stored.current ? { ...initial, ...stored.current } : initial));
  const restored = stored.current !== null;
  const initialJson = useRef(JSON.stringify(initial));
  useEffect(() => {
    // An untouched form is not a draft.
    if (JSON.stringify(value) === initialJson.current) clearDraft(key);
    else saveDraft(key, value);
  }, [key, value]);
  const clear = () => { clearDraft(key); stored.current = null; };
  return [value, setValue, restored, clear];
}
