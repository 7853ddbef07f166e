import { NavLink, useParams } from 'react-router-dom';
import { PageHeader } from '@/components/ui/misc';
import { useCurrentUser } from '@/contexts/AuthContext';
import { queryKeys } from '@/lib/react-query';
import { can, canAdminister } from '@/lib/capabilities';
import { useUnits } from '../api/master-data';
import { SimpleCrud } from './simple-crud';
import { UsersPanel } from './users-panel';

const TABS = [
  { id: 'users', label: 'Users' },
  { id: 'units', label: 'Units' },
  { id: 'departments', label: 'Departments' },
  { id: 'document-types', label: 'Document types' },
];

export function AdminPage() {
  const user = useCurrentUser();
  const tab = useParams().tab ?? 'users';
  const units = useUnits();
  const sysadmin = can(user, 'see_all_units');
  const unitOptions = (units.data?.results ?? []).map((u) => ({
    value: u.id,
    label: `${u.code} — ${u.name}`,
  }));

  if (!canAdminister(user)) {
    return (
      <div className="alert alert--error">
        Administration is for System Administrators and Unit Admins.
      </div>
    );
  }

  return (
    <>
      <PageHeader title="Administration" />
      <nav className="tabs" aria-label="Administration sections">
        {TABS.map((t) => (
          <NavLink
            key={t.id}
            to={`/administration/${t.id}`}
            className={() => `tab ${tab === t.id ? 'is-active' : ''}`}
          >
            {t.label}
          </NavLink>
        ))}
      </nav>
      {tab === 'users' ? <UsersPanel /> : null}
      {tab === 'units' ? (
        <SimpleCrud
          title="Units"
          root={queryKeys.units}
          path="units/"
          canEdit={sysadmin}
          // Deactivating a unit stops its work: it says why (docs/audit.md).
          reasonRequired={(before, after) => before.is_active === true && after.is_active === false}
          fields={[
            { name: 'code', label: 'Code', required: true },
            { name: 'name', label: 'Name', required: true },
            { name: 'address', label: 'Address', type: 'textarea', column: false },
            { name: 'is_active', label: 'Active', type: 'checkbox' },
          ]}
        />
      ) : null}
      {tab === 'departments' ? (
        <SimpleCrud
          title="Departments"
          root={queryKeys.departments}
          path="departments/"
          canEdit
          createDefaults={sysadmin ? undefined : { unit: user.unit }}
          fields={[
            ...(sysadmin
              ? [
                  {
                    name: 'unit',
                    label: 'Unit',
                    type: 'select' as const,
                    options: unitOptions,
                    required: true,
                    render: (r: Record<string, unknown>) => String(r.unit_code ?? r.unit),
                  },
                ]
              : []),
            { name: 'code', label: 'Code', required: true },
            { name: 'name', label: 'Name', required: true },
            { name: 'is_active', label: 'Active', type: 'checkbox' },
          ]}
        />
      ) : null}
      {tab === 'document-types' ? (
        <SimpleCrud
          title="Document types"
          root={queryKeys.documentTypes}
          path="document-types/"
          canEdit={sysadmin}
          // Records are filed and kept by their type: every change of one says why.
          reasonRequired={(before, after) =>
            Object.keys(after).some((name) => String(after[name]) !== String(before[name]))
          }
          fields={[
            { name: 'code', label: 'Code', required: true },
            { name: 'name', label: 'Name', required: true },
            { name: 'retention_years', label: 'Retention (years)', type: 'number', required: true },
            { name: 'is_active', label: 'Active', type: 'checkbox' },
          ]}
        />
      ) : null}
    </>
  );
}
