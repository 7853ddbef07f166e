import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { ListPager } from '@/components/list/list-pager';
import { ListStatus } from '@/components/list/list-status';
import { ListTable } from '@/components/list/list-table';
import { Dialog } from '@/components/ui/dialog';
import { Scanner, type ScannerMessage } from '@/components/scanner/scanner';
import { notFoundMessage, resolveScan } from '@/components/scanner/resolve-scan';
import { ErrorMessage, errorText, fieldError } from '@/components/ui/error-message';
import { Field } from '@/components/ui/field';
import { missingReason, ReasonField } from '@/components/ui/reason-field';
import { CapacityBar, Card, Empty, Loading, PageHeader, StatusBadge } from '@/components/ui/misc';
import { useCurrentUser } from '@/contexts/AuthContext';
import { useUnits } from '@/features/admin/api/master-data';
import { useCrates } from '@/features/crates/api/crates';
import { PrintLabels } from '@/features/labels/components/print-labels';
import { openFile } from '@/lib/api-client';
import { formatDate, humanize } from '@/lib/format';
import { pageNumber, useListParams } from '@/lib/use-list-params';
import { can } from '@/lib/capabilities';
import type { LocationKind, StorageLocation } from '@/lib/types';
import { buildTree, useLocations, useSaveLocation, type LocationNode } from '../api/locations';

const KINDS: LocationKind[] = ['room', 'rack', 'shelf', 'bin'];
const CHILD_KIND: Record<LocationKind, LocationKind> = {
  room: 'rack',
  rack: 'shelf',
  shelf: 'bin',
  bin: 'bin',
};

interface Editing {
  location?: StorageLocation;
  parent?: StorageLocation | null;
}

function LocationDialog({
  editing,
  unit,
  all,
  onClose,
}: {
  editing: Editing | null;
  unit: number | undefined;
  all: StorageLocation[];
  onClose: () => void;
}) {
  const existing = editing?.location;
  const parent = existing
    ? (all.find((l) => l.id === existing.parent) ?? null)
    : (editing?.parent ?? null);
  const [form, setForm] = useState(() => ({
    parent: parent ? String(parent.id) : '',
    kind: existing?.kind ?? (parent ? CHILD_KIND[parent.kind] : 'room'),
    code: existing?.code ?? '',
    name: existing?.name ?? '',
    capacity: String(existing?.capacity ?? 0),
    is_active: existing?.is_active ?? true,
  }));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [reason, setReason] = useState('');
  const [scanMessage, setScanMessage] = useState<ScannerMessage | null>(null);
  const save = useSaveLocation();
  // Where it may go: any location of the unit but itself and the bins (which hold no places).
  const parents = all.filter((l) => l.id !== existing?.id && l.kind !== 'bin');

  const onScan = async (code: string) => {
    setScanMessage(null);
    try {
      const result = await resolveScan(code);
      const place = parents.find((l) => result?.kind === 'location' && l.id === result.id);
      if (!result) setScanMessage({ tone: 'error', text: notFoundMessage(code) });
      else if (!place)
        setScanMessage({
          tone: 'error',
          text:
            result.kind === 'location'
              ? `${result.location_path} cannot hold this location.`
              : `${result.number_or_code} is a ${result.kind}; scan a location's label.`,
        });
      else {
        setForm((current) => ({ ...current, parent: String(place.id) }));
        setScanMessage({ tone: 'ok', text: `Inside ${place.path}.` });
      }
    } catch (error) {
      setScanMessage({ tone: 'error', text: errorText(error) });
    }
  };
  // Moving a location or changing its capacity affects where crates are (Annex 11 §9).
  const reasonRequired =
    existing !== undefined &&
    (Number(form.capacity) !== existing.capacity ||
      (form.parent ? Number(form.parent) : null) !== (existing.parent ?? null));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (!form.code.trim()) found.code = 'Required.';
    if (!form.name.trim()) found.name = 'Required.';
    const capacity = Number(form.capacity);
    if (!Number.isInteger(capacity) || capacity < 0) found.capacity = 'A whole number, 0 or more.';
    if (existing && capacity < existing.occupied) {
      found.capacity = `It holds ${existing.occupied} crates now; capacity cannot be lower.`;
    }
    const noReason = missingReason(reasonRequired, reason);
    if (noReason) found.reason = noReason;
    setErrors(found);
    if (Object.keys(found).length) return;
    save.mutate(
      {
        id: existing?.id,
        body: {
          ...(existing ? {} : { unit }),
          parent: form.parent ? Number(form.parent) : null,
          kind: form.kind,
          code: form.code.trim(),
          name: form.name.trim(),
          capacity,
          is_active: form.is_active,
          ...(existing && reason.trim() ? { reason: reason.trim() } : {}),
        },
      },
      { onSuccess: onClose },
    );
  };

  return (
    <Dialog
      open={editing !== null}
      onClose={onClose}
      title={existing ? `Edit ${existing.code}` : 'New location'}
    >
      <form className="form" onSubmit={submit} noValidate>
        <Field label="Inside" error={fieldError(save.error, 'parent')}>
          <select
            value={form.parent}
            onChange={(e) => setForm({ ...form, parent: e.target.value })}
          >
            <option value="">— top level (room) —</option>
            {parents.map((l) => (
              <option key={l.id} value={l.id}>
                {l.path}
              </option>
            ))}
          </select>
        </Field>
        <Scanner
          className="scan--compact"
          label="Inside: or scan its label"
          placeholder="LOC-GOA-…"
          buttonLabel="Choose"
          message={scanMessage}
          onCode={onScan}
        />
        <Field label="Kind" required error={fieldError(save.error, 'kind')}>
          <select
            value={form.kind}
            onChange={(e) => setForm({ ...form, kind: e.target.value as LocationKind })}
          >
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {humanize(k)}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Code" required error={errors.code ?? fieldError(save.error, 'code')}>
          <input value={form.code} onChange={(e) => setForm({ ...form, code: e.target.value })} />
        </Field>
        <Field label="Name" required error={errors.name ?? fieldError(save.error, 'name')}>
          <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </Field>
        <Field
          label="Capacity (crates)"
          hint="0 for a room or rack that only contains other locations."
          error={errors.capacity ?? fieldError(save.error, 'capacity')}
        >
          <input
            type="number"
            min={0}
            value={form.capacity}
            onChange={(e) => setForm({ ...form, capacity: e.target.value })}
          />
        </Field>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={form.is_active}
            onChange={(e) => setForm({ ...form, is_active: e.target.checked })}
          />
          Active
        </label>
        {existing ? (
          <ReasonField
            value={reason}
            onChange={setReason}
            required={reasonRequired}
            error={errors.reason ?? fieldError(save.error, 'reason')}
          />
        ) : null}
        <ErrorMessage
          error={save.error}
          handledFields={['parent', 'kind', 'code', 'name', 'capacity', 'reason']}
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

function TreeNode({
  node,
  depth,
  editable,
  onEdit,
  onAdd,
  onOpen,
  selected,
}: {
  node: LocationNode;
  depth: number;
  editable: boolean;
  onEdit: (l: StorageLocation) => void;
  onAdd: (parent: StorageLocation) => void;
  onOpen: (l: StorageLocation) => void;
  selected: number | undefined;
}) {
  const [open, setOpen] = useState(depth < 2);
  const hasChildren = node.children.length > 0;
  return (
    <li
      className={`tree__node ${node.is_active ? '' : 'tree__node--inactive'}`}
      role="treeitem"
      aria-expanded={hasChildren ? open : undefined}
    >
      <div className="tree__row">
        {hasChildren ? (
          <button
            type="button"
            className="tree__toggle"
            aria-label={open ? `Collapse ${node.name}` : `Expand ${node.name}`}
            onClick={() => setOpen(!open)}
          >
            {open ? '▾' : '▸'}
          </button>
        ) : (
          <span className="tree__toggle" aria-hidden="true" />
        )}
        <span className="tree__name">
          <span className="tree__kind">{humanize(node.kind)}</span> {node.code} · {node.name}
          {node.is_active ? null : <span className="badge">inactive</span>}
        </span>
        <CapacityBar
          occupied={node.totalOccupied}
          capacity={node.totalCapacity}
          label={`${node.path} occupancy`}
        />
        <span className="tree__actions">
          <button
            type="button"
            className={`btn ${selected === node.id ? 'btn--primary' : 'btn--ghost'}`}
            aria-pressed={selected === node.id}
            aria-label={`Crates in ${node.path}`}
            onClick={() => onOpen(node)}
          >
            Crates
          </button>
        </span>
        {editable ? (
          <span className="tree__actions">
            <button type="button" className="btn btn--ghost" onClick={() => onEdit(node)}>
              Edit
            </button>
            {node.kind !== 'bin' ? (
              <button type="button" className="btn btn--ghost" onClick={() => onAdd(node)}>
                Add inside
              </button>
            ) : null}
          </span>
        ) : null}
      </div>
      {hasChildren && open ? (
        <ul className="tree__children" role="group">
          {node.children.map((child) => (
            <TreeNode
              key={child.id}
              node={child}
              depth={depth + 1}
              editable={editable}
              onEdit={onEdit}
              onAdd={onAdd}
              onOpen={onOpen}
              selected={selected}
            />
          ))}
        </ul>
      ) : null}
    </li>
  );
}

/** A location's barcode, its own label, and labels for it with everything inside it. */
function LocationLabels({ location }: { location: StorageLocation }) {
  return (
    <Card title={`Labels for ${location.path}`}>
      <p className="muted">
        Barcode <code data-testid="location-barcode">{location.barcode}</code>: scan it to pick this
        location anywhere a location is asked for.
      </p>
      <div className="action-bar">
        <button
          type="button"
          className="btn"
          onClick={() =>
            void openFile(`locations/${location.id}/label/`, `${location.barcode}.pdf`)
          }
        >
          Label of this {location.kind}
        </button>
        <PrintLabels
          target={{ locations: [location.id], subtree: true }}
          buttonLabel="Print labels for it and everything inside"
        />
      </div>
    </Card>
  );
}

/** The crates at a location and anywhere inside it (a room: every shelf in it). */
function LocationCrates({ location }: { location: StorageLocation }) {
  const list = useListParams();
  const { data, error, isLoading } = useCrates({
    within: location.id,
    page: pageNumber(list.params.crates_page),
    page_size: 25,
    ordering: 'number',
  });
  return (
    <Card
      title={`Crates in ${location.path}`}
      actions={
        <Link className="btn btn--ghost" to={`/crates?within=${location.id}`}>
          Open in the crate list
        </Link>
      }
    >
      <ListStatus
        error={error}
        isLoading={isLoading}
        rows={data?.results.length}
        empty="No crates here."
      />
      <ListTable
        rows={data?.results}
        testId="location-crates"
        columns={['Crate', 'Status', 'Place', 'Department', 'Retention until']}
      >
        {(crate) => (
          <tr key={crate.id}>
            <td>
              <Link to={`/crates/${crate.id}`}>{crate.number}</Link>
              {crate.legal_hold ? <span className="badge badge--hold">Legal hold</span> : null}
            </td>
            <td>
              <StatusBadge status={crate.status} />
            </td>
            <td>{crate.location_path}</td>
            <td>{crate.department_name}</td>
            <td>{formatDate(crate.retention_until)}</td>
          </tr>
        )}
      </ListTable>
      <ListPager list={list} pageSize={25} data={data} param="crates_page" />
    </Card>
  );
}

export function StoragePage() {
  const user = useCurrentUser();
  const allUnits = can(user, 'see_all_units');
  const units = useUnits();
  const { params, setParam } = useListParams();
  const unit = params.unit ? Number(params.unit) : (user.unit ?? undefined);
  // A location of the previous unit is not in the new unit's tree, so its panel closes.
  const setUnit = (value: number | undefined) =>
    setParam('unit', value ? String(value) : undefined);
  const selectedId = params.location ? Number(params.location) : undefined;
  const effectiveUnit = unit ?? (allUnits ? units.data?.results[0]?.id : undefined);
  const { data, error, isLoading } = useLocations(
    { unit: effectiveUnit },
    effectiveUnit !== undefined || !allUnits,
  );
  const [editing, setEditing] = useState<Editing | null>(null);
  const editable = can(user, 'manage_locations');
  const tree = buildTree(data ?? []);
  const selected = selectedId ? data?.find((l) => l.id === selectedId) : undefined;
  const totals = tree.reduce(
    (acc, node) => ({
      occupied: acc.occupied + node.totalOccupied,
      capacity: acc.capacity + node.totalCapacity,
    }),
    { occupied: 0, capacity: 0 },
  );

  return (
    <>
      <PageHeader
        title="Storage locations"
        actions={
          editable ? (
            <button
              type="button"
              className="btn btn--primary"
              onClick={() => setEditing({ parent: null })}
            >
              New room
            </button>
          ) : null
        }
      />
      {allUnits ? (
        <div className="filters">
          <label>
            Unit
            <select
              value={effectiveUnit ?? ''}
              onChange={(e) => setUnit(e.target.value ? Number(e.target.value) : undefined)}
            >
              {units.data?.results.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.code} — {u.name}
                </option>
              ))}
            </select>
          </label>
        </div>
      ) : null}
      <ErrorMessage error={error} />
      {isLoading ? <Loading /> : null}
      <Card title="Whole unit">
        <CapacityBar occupied={totals.occupied} capacity={totals.capacity} label="Unit occupancy" />
      </Card>
      {data && data.length === 0 ? <Empty>No locations yet.</Empty> : null}
      <Card>
        <ul className="tree" role="tree" aria-label="Storage locations" data-testid="location-tree">
          {tree.map((node) => (
            <TreeNode
              key={node.id}
              node={node}
              depth={0}
              editable={editable}
              onEdit={(location) => setEditing({ location })}
              onAdd={(parent) => setEditing({ parent })}
              onOpen={(location) => setParam('location', String(location.id))}
              selected={selectedId}
            />
          ))}
        </ul>
      </Card>
      {selected ? <LocationLabels location={selected} /> : null}
      {selected ? <LocationCrates location={selected} /> : null}
      {editing ? (
        <LocationDialog
          editing={editing}
          unit={effectiveUnit}
          all={data ?? []}
          onClose={() => setEditing(null)}
        />
      ) : null}
    </>
  );
}
