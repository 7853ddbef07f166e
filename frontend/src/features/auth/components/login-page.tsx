import { useState, type FormEvent } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { Field } from '@/components/ui/field';
import { useAuth } from '@/contexts/AuthContext';
import { ApiError } from '@/lib/api-client';

export function loginErrorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401 && error.code === 'account_locked') {
      // This failure locked the account (docs/roles.md): say so now, not at the next attempt.
      return 'Wrong username or password. After too many failed sign-ins this account is now locked: wait until the lock expires or ask an administrator to unlock it.';
    }
    if (error.status === 401) return 'Wrong username or password.';
    if (error.status === 403 && error.code === 'account_locked') {
      return 'This account is locked after too many failed sign-ins. Wait until the lock expires or ask an administrator to unlock it.';
    }
    if (error.status === 403) return error.message || 'This account cannot sign in.';
    if (error.status === 429) {
      const body = error.body as { retry_after?: number } | null;
      const wait =
        typeof body?.retry_after === 'number' ? `${body.retry_after} seconds` : 'a minute';
      return `Too many sign-in attempts. Please wait ${wait} before trying again.`;
    }
    if (error.status === 400) return 'Enter your username and password.';
    return error.message;
  }
  return 'Sign-in failed. Please try again.';
}

export function LoginPage() {
  const { user, login, endReason } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const from = (location.state as { from?: string } | null)?.from ?? '/';

  if (user) return <Navigate to={from} replace />;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!username.trim() || !password) {
      setError('Enter your username and password.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await login(username.trim(), password);
      navigate(from, { replace: true });
    } catch (err) {
      setError(loginErrorMessage(err));
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login">
      <form className="login__panel" onSubmit={submit} noValidate aria-labelledby="login-title">
        <div className="login__brand" aria-hidden="true">
          ▣
        </div>
        <h1 id="login-title">Cipla DMS</h1>
        <p className="muted">Document archive management — sign in to continue.</p>
        {endReason ? (
          <div className="alert alert--info" role="status">
            {endReason}
          </div>
        ) : null}
        {error ? (
          <div className="alert alert--error" role="alert" data-testid="login-error">
            {error}
          </div>
        ) : null}
        <Field label="Username">
          <input
            name="username"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            autoFocus
          />
        </Field>
        <Field label="Password">
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
        <button type="submit" className="btn btn--primary btn--block" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
