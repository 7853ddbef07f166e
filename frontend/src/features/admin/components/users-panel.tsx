import { useState, type FormEvent } from 'react';
import { useListParams } from '@/lib/use-list-params';
import {
  FilterBar,
  SearchFilter,
  SelectFilter,
  type FilterOption,
} from '@/components/list/filter-bar';
import { ListPager } from '@/components/list/list-pager';
import { ListStatus } from '@/components/list/list-status';
import { ListTable } from '@/components/list/list-table';
import { Dialog } from '@/components/ui/dialog';
import { ErrorMessage, fieldError } from '@/components/ui/error-message';
import { Field } from '@/components/ui/field';
import { useToast } from '@/components/ui/toast';
import { useCurrentUser } from '@/contexts/AuthContext';
import { passwordProblems } from '@/features/auth/components/change-password-page';
import { queryKeys } from '@/lib/react-query';
import { can } from '@/lib/capabilities';
import type { RoleName } from '@/lib/types';
import { useSave, useUnits, useUserAction, useUsers, type AdminUser } from '../api/master-data';

/** The role names the API accepts (its `RolesEnum`), in the order the form lists them. */
const ROLES: RoleName[] = [
  'System Administrator',
  'Unit Admin',
  'Document Manager',
  'Approver',
  'Store Head',
  'Viewer',
];

function UserDialog({ user, onClose }: { user: AdminUser | null; onClose: () => void }) {
  const me = useCurrentUser();
  const units = useUnits();
  const save = useSave<AdminUser>(queryKeys.users, 'users/');
  const creating = user === null;
  const [form, setForm] = useState({
    username: user?.username ?? '',
    full_name: user?.full_name ?? '',
    email: user?.email ?? '',
    employee_id: user?.employee_id ?? '',
    unit: user?.unit ? String(user.unit) : me.unit ? String(me.unit) : '',
    roles: user?.roles ?? ([] as string[]),
    password: '',
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  // A Unit Admin cannot grant System Administrator (docs/roles.md).
  const grantable = ROLES.filter(
    (r) => r !== 'System Administrator' || can(me, 'grant_system_administrator'),
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (creating && !form.username.trim()) found.username = 'Required.';
    if (!form.full_name.trim()) found.full_name = 'Required.';
    if (form.email && !/^\S+@\S+\.\S+$/.test(form.email)) found.email = 'Not an email address.';
    if (creating) {
      const problems = passwordProblems(form.password, form.username);
      if (problems.length) found.password = `Needs ${problems.join(', ')}.`;
    }
    if (form.roles.length === 0) found.roles = 'Give at least one role.';
    setErrors(found);
    if (Object.keys(found).length) return;
    const body: Record<string, unknown> = {
      full_name: form.full_name.trim(),
      email: form.email.trim(),
      employee_id: form.employee_id.trim(),
      unit: form.unit ? Number(form.unit) : null,
      roles: form.roles,
    };
    if (creating) {
      body.username = form.username.trim();
      body.password = form.password;
    }
    save.mutate({ id: user?.id, body }, { onSuccess: onClose });
  };

  return (
    <Dialog open onClose={onClose} title={creating ? 'New user' : `Edit ${user.username}`} wide>
      <form className="form" onSubmit={submit} noValidate>
        <div className="form-grid">
          <Field
            label="Username"
            required
            error={errors.username ?? fieldError(save.error, 'username')}
          >
            <input
              value={form.username}
              disabled={!creating}
              onChange={(e) => setForm({ ...form, username: e.target.value })}
            />
          </Field>
          <Field
            label="Full name"
            required
            error={errors.full_name ?? fieldError(save.error, 'full_name')}
          >
            <input
              value={form.full_name}
              onChange={(e) => setForm({ ...form, full_name: e.target.value })}
            />
          </Field>
          <Field label="Email" error={errors.email ?? fieldError(save.error, 'email')}>
            <input
              type="email"
              value={form.email}
              onChange={(e) => setForm({ ...form, email: e.target.value })}
            />
          </Field>
          <Field label="Employee ID" error={fieldError(save.error, 'employee_id')}>
            <input
              value={form.employee_id}
              onChange={(e) => setForm({ ...form, employee_id: e.target.value })}
            />
          </Field>
          <Field label="Unit" error={fieldError(save.error, 'unit')}>
            <select
              value={form.unit}
              disabled={!can(me, 'see_all_units')}
              onChange={(e) => setForm({ ...form, unit: e.target.value })}
            >
              <option value="">None (System Administrator only)</option>
              {units.data?.results.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.code} — {u.name}
                </option>
              ))}
            </select>
          </Field>
          {creating ? (
            <Field
              label="Initial password"
              required
              hint="At least 12 characters, upper and lower case, a digit and a symbol."
              error={errors.password ?? fieldError(save.error, 'password')}
            >
              <input
                type="password"
                autoComplete="new-password"
                value={form.password}
                onChange={(e) => setForm({ ...form, password: e.target.value })}
              />
            </Field>
          ) : null}
        </div>
        <fieldset>
          <legend>Roles</legend>
          {grantable.map((role) => (
            <label key={role} className="checkbox">
              <input
                type="checkbox"
                checked={form.roles.includes(role)}
                onChange={(e) =>
                  setForm({
                    ...form,
                    roles: e.target.checked
                      ? [...form.roles, role]
                      : form.roles.filter((r) => r !== role),
                  })
                }
              />
              {role}
            </label>
          ))}
          {errors.roles || fieldError(save.error, 'roles') ? (
            <div className="field__error" role="alert">
              {errors.roles ?? fieldError(save.error, 'roles')}
            </div>
          ) : null}
        </fieldset>
        <ErrorMessage
          error={save.error}
          handledFields={[
            'username',
            'full_name',
            'email',
            'employee_id',
            'unit',
            'password',
            'roles',
          ]}
        />
        <div className="form-actions">
          <button type="submit" className="btn btn--primary" disabled={save.isPending}>
            Save
          </button>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

const PAGE_SIZE = 25;
// All users by default: a deactivated user stays in the list, marked, rather than vanishing.
const USER_STATES: FilterOption[] = [
  { value: 'true', label: 'Active' },
  { value: 'false', label: 'Deactivated' },
  { value: '', label: 'All' },
];

export function UsersPanel() {
  const { notify } = useToast();
  // Filters and page live in the URL (a filtered list can be bookmarked and shared).
  const list = useListParams();
  const { data, error, isLoading } = useUsers({
    ...list.pick(['search', 'is_active']),
    page: list.page,
    page_size: PAGE_SIZE,
    ordering: 'username',
  });
  const userAction = useUserAction();
  const [editing, setEditing] = useState<AdminUser | null | undefined>(undefined);
  const [deactivating, setDeactivating] = useState<AdminUser | null>(null);

  return (
    <section aria-label="Users">
      <FilterBar list={list}>
        <SearchFilter />
        <SelectFilter name="is_active" label="Status" options={USER_STATES} anyLabel={null} />
        <span className="topbar__spacer" />
        <button type="button" className="btn btn--primary" onClick={() => setEditing(null)}>
          New user
        </button>
      </FilterBar>
      <ListStatus
        error={error ?? userAction.error}
        isLoading={isLoading}
        rows={data?.results.length}
        empty="No users match."
      />
      <ListTable
        rows={data?.results}
        testId="users-table"
        columns={['Username', 'Name', 'Unit', 'Roles', 'State', { label: 'Actions', hidden: true }]}
      >
        {(u) => (
          <tr key={u.id}>
            <td>{u.username}</td>
            <td>{u.full_name}</td>
            <td>{u.unit_code ?? '—'}</td>
            <td>{u.roles.join(', ')}</td>
            <td>
              {u.is_active ? (
                'Active'
              ) : (
                <span className="badge badge--cancelled" data-testid="user-inactive">
                  Deactivated
                </span>
              )}
              {u.is_locked ? <span className="badge badge--rejected">Locked</span> : null}
            </td>
            <td className="nowrap">
              {u.allowed_actions.includes('edit') ? (
                <button
                  type="button"
                  className="btn btn--ghost"
                  onClick={() => setEditing(u)}
                  aria-label={`Edit ${u.username}`}
                >
                  Edit
                </button>
              ) : null}
              {u.allowed_actions.includes('unlock') ? (
                <button
                  type="button"
                  className="btn btn--ghost"
                  aria-label={`Unlock ${u.username}`}
                  onClick={() =>
                    userAction.mutate(
                      { id: u.id, action: 'unlock' },
                      { onSuccess: () => notify(`${u.username} unlocked.`, 'success') },
                    )
                  }
                >
                  Unlock
                </button>
              ) : null}
              {u.allowed_actions.includes('deactivate') ? (
                <button
                  type="button"
                  className="btn btn--ghost btn--danger-text"
                  aria-label={`Deactivate ${u.username}`}
                  onClick={() => setDeactivating(u)}
                >
                  Deactivate
                </button>
              ) : null}
            </td>
          </tr>
        )}
      </ListTable>
      <ListPager list={list} pageSize={PAGE_SIZE} data={data} />
      {editing !== undefined ? (
        <UserDialog user={editing} onClose={() => setEditing(undefined)} />
      ) : null}
      <Dialog
        title="Deactivate user"
        open={deactivating !== null}
        onClose={() => setDeactivating(null)}
        footer={
          <>
            <button
              type="button"
              className="btn btn--danger"
              disabled={userAction.isPending}
              onClick={() => {
                const target = deactivating!;
                userAction.mutate(
                  { id: target.id, action: 'deactivate' },
                  {
                    onSuccess: () => {
                      setDeactivating(null);
                      notify(`${target.username} deactivated.`, 'success');
                    },
                  },
                );
              }}
            >
              Deactivate
            </button>
            <button type="button" className="btn" onClick={() => setDeactivating(null)}>
              Keep active
            </button>
          </>
        }
      >
        <p data-testid="deactivate-confirm">
          Deactivate <strong>{deactivating?.full_name || deactivating?.username}</strong> (
          {deactivating?.username})? They are signed out at once and can no longer sign in. The
          account stays in the list as deactivated, with its signatures and history.
        </p>
      </Dialog>
    </section>
  );
}
