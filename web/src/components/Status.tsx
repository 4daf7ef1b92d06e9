// Loading and load-error states for a view's data.
import { useT } from '../i18n';
import type { ApiError } from '../api';
import { Alert } from './Field';

export function Loading() {
  const { m } = useT();
  return <p class="loading" role="status"><span class="spinner" aria-hidden="true" /> {m.loading}</p>;
}

export function LoadError({ error, retry }: { error: ApiError; retry?: () => void }) {
  const { m } = useT();
  if (error.isUnauthenticated) return null; // the session banner says it
  return (
    <Alert kind="error">
      <p>{error.isNetwork ? m.offline : `${m.loadFailed} ${error.message}`}</p>
      {retry && <button type="button" class="secondary" onClick={retry}>{m.retry}</button>}
    </Alert>
  );
}
