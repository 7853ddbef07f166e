import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ErrorMessage, fieldError } from '@/components/ui/error-message';
import { Field } from '@/components/ui/field';
import { Card, PageHeader } from '@/components/ui/misc';
import { useToast } from '@/components/ui/toast';
import { useAuth } from '@/contexts/AuthContext';
import { changePassword } from '../api/auth';

/** Client-side hints mirroring the server policy (docs/api.md); the server decides. */
export function passwordProblems(password: string, username: string): string[] {
  const problems: string[] = [];
  if (password.length < 12) problems.push('at least 12 characters');
  if (!/[A-Z]/.test(password)) problems.push('an upper-case letter');
  if (!/[a-z]/.test(password)) problems.push('a lower-case letter');
  if (!/\d/.test(password)) problems.push('a digit');
  if (!/[^A-Za-z0-9]/.test(password)) problems.push('a symbol');
  if (username && password.toLowerCase().includes(username.toLowerCase())) {
    problems.push('not containing your username');
  }
  return problems;
}

export function ChangePasswordPage() {
  const { user, logout } = useAuth();
  const { notify } = useToast();
  const [oldPassword, setOldPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const mutation = useMutation({
    mutationFn: changePassword,
    onSuccess: async () => {
      notify('Password changed. Please sign in with your new password.', 'success');
      await logout('Password changed. Sign in with your new password.');
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const errors: Record<string, string> = {};
    if (!oldPassword) errors.old_password = 'Enter your current password.';
    const problems = passwordProblems(newPassword, user?.username ?? '');
    if (problems.length) errors.new_password = `Needs ${problems.join(', ')}.`;
    if (newPassword !== confirm) errors.confirm = 'The passwords do not match.';
    setLocalErrors(errors);
    if (Object.keys(errors).length) return;
    mutation.mutate({ old_password: oldPassword, new_password: newPassword });
  };

  return (
    <>
      <PageHeader title="Change password" />
      <Card>
        <form className="form narrow" onSubmit={submit} noValidate>
          <Field
            label="Current password"
            required
            error={localErrors.old_password ?? fieldError(mutation.error, 'old_password')}
          >
            <input
              type="password"
              autoComplete="current-password"
              value={oldPassword}
              onChange={(e) => setOldPassword(e.target.value)}
            />
          </Field>
          <Field
            label="New password"
            required
            hint="At least 12 characters with upper and lower case, a digit and a symbol; not like your username."
            error={localErrors.new_password ?? fieldError(mutation.error, 'new_password')}
          >
            <input
              type="password"
              autoComplete="new-password"
              value={newPassword}
              onChange={(e) => setNewPassword(e.target.value)}
            />
          </Field>
          <Field label="Repeat new password" required error={localErrors.confirm}>
            <input
              type="password"
              autoComplete="new-password"
              value={confirm}
              onChange={(e) => setConfirm(e.target.value)}
            />
          </Field>
          <ErrorMessage error={mutation.error} handledFields={['old_password', 'new_password']} />
          <button type="submit" className="btn btn--primary" disabled={mutation.isPending}>
            Change password
          </button>
        </form>
      </Card>
    </>
  );
}
