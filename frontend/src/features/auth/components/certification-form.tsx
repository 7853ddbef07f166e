import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ErrorMessage } from '@/components/ui/error-message';
import { Field } from '@/components/ui/field';
import { ApiError } from '@/lib/api-client';
import { authStorage } from '@/lib/auth-storage';
import { certifySignature, getCertification, getMe } from '../api/auth';

/**
 * Signature certification (21 CFR 11.100(c)): the signed-in user reads the statement and
 * certifies it, once, with their password. Afterwards the session's user is reloaded, so
 * every screen knows they may sign.
 */
export function CertificationForm({ onCertified }: { onCertified?: () => void }) {
  const statement = useQuery({ queryKey: ['signature-certification'], queryFn: getCertification });
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [missing, setMissing] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setMissing(!password);
    if (!password) return;
    setBusy(true);
    setError(null);
    try {
      await certifySignature(password);
      authStorage.setUser(await getMe());
      await statement.refetch();
      onCertified?.();
    } catch (caught) {
      setPassword('');
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const wrong = error instanceof ApiError && error.code === 'invalid_signature';
  return (
    <form onSubmit={submit} noValidate className="form" data-testid="certification-form">
      <p className="signature-statement" data-testid="certification-statement">
        {statement.data?.statement ??
          'I certify that my electronic signature is the legally binding equivalent of my handwritten signature.'}
      </p>
      <Field
        label="Password"
        required
        error={
          missing
            ? 'Enter your password to certify.'
            : wrong
              ? 'The password is not correct. Nothing was certified.'
              : undefined
        }
      >
        <input
          type="password"
          name="certification-password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </Field>
      {!wrong ? <ErrorMessage error={error} handledFields={['password']} /> : null}
      <div className="form-actions">
        <button type="submit" className="btn btn--primary" disabled={busy}>
          {busy ? 'Certifying…' : 'Certify my electronic signature'}
        </button>
      </div>
    </form>
  );
}
