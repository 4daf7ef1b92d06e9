// Sign-in (POST /v1/sessions). Used as the login page and, after an expired session, inline
// in the banner so that the page behind it (and what was typed in it) stays as it was.
import { useState } from 'preact/hooks';
import { post, ApiError } from '../api';
import { useT } from '../i18n';
import { TextField, Alert } from '../components/Field';
import type { User } from '../types';

export function LoginForm({ onDone, compact, presetUser }: { onDone: (u: User) => void; compact?: boolean; presetUser?: string }) {
  const { m } = useT();
  const [username, setUsername] = useState(presetUser ?? '');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [errs, setErrs] = useState<{ u?: string; p?: string }>({});
  const pfx = compact ? 'relogin' : 'login';

  const submit = async (ev: Event) => {
    ev.preventDefault();
    const e = { u: username.trim() ? undefined : m.requiredField, p: password ? undefined : m.requiredField };
    setErrs(e);
    if (e.u || e.p) {
      document.getElementById(e.u ? `${pfx}-username` : `${pfx}-password`)?.focus();
      return;
    }
    setBusy(true);
    setError('');
    try {
      const res = await post<{ token?: string; user: User }>('/v1/sessions', { username: username.trim(), password });
      setPassword('');
      onDone(res.user);
    } catch (err) {
      const a = err as ApiError;
      setError(a.isNetwork ? m.offline : a.httpStatus === 429 ? m.loginRateLimited : a.httpStatus === 401 || a.httpStatus === 400 ? m.loginFailed : a.message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class={compact ? 'login-form compact' : 'login-form'} onSubmit={submit} noValidate aria-label={m.loginTitle}>
      {error && <Alert kind="error">{error}</Alert>}
      <TextField id={`${pfx}-username`} label={m.username} value={username} onInput={setUsername} autocomplete="username" required error={errs.u} />
      <TextField id={`${pfx}-password`} label={m.password} type="password" value={password} onInput={setPassword} autocomplete="current-password" required error={errs.p} />
      <button type="submit" class="primary" disabled={busy} aria-busy={busy ? 'true' : undefined}>{m.loginButton}</button>
    </form>
  );
}

export function LoginPage({ onDone }: { onDone: (u: User) => void }) {
  const { m } = useT();
  return (
    <div class="login-page">
      <div class="card narrow">
        <h1 tabIndex={-1}>{m.loginTitle}</h1>
        <p>{m.loginIntro}</p>
        <LoginForm onDone={onDone} />
      </div>
    </div>
  );
}
