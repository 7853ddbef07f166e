import { createContext, useContext, type ReactNode } from 'react';
import { SearchInput } from '@/components/ui/search-input';
import type { ListParams } from '@/lib/use-list-params';

/** The list whose URL parameters the filters inside a FilterBar read and write. */
const ListContext = createContext<ListParams | null>(null);

function useList(): ListParams {
  const list = useContext(ListContext);
  if (!list) throw new Error('A list filter belongs inside a FilterBar.');
  return list;
}

export interface FilterOption {
  value: string;
  label: string;
}

/** Choices named by their values in words (`in_storage` reads "in storage"). */
export function valueOptions(
  values: readonly string[],
  label: (value: string) => string = (value) => value.replace('_', ' '),
): FilterOption[] {
  return values.map((value) => ({ value, label: label(value) }));
}

/**
 * The row of filters above a list. Each filter is a labelled control bound to one URL parameter
 * of `list` (useListParams), so every list page filters, bookmarks and reloads the same way.
 */
export function FilterBar({
  list,
  updating = false,
  children,
}: {
  list: ListParams;
  /** A refetch is under way (the rows shown are the previous answer's). */
  updating?: boolean;
  children: ReactNode;
}) {
  return (
    <ListContext.Provider value={list}>
      <div className="filters" role="group" aria-label="Filters">
        {children}
        {updating ? <span className="muted">Updating…</span> : null}
      </div>
    </ListContext.Provider>
  );
}

/** Free text, sent once typing pauses. */
export function SearchFilter({
  name = 'search',
  label = 'Search',
  placeholder,
  type = 'search',
}: {
  name?: string;
  label?: string;
  placeholder?: string;
  type?: 'search' | 'text';
}) {
  const { params, setParam } = useList();
  return (
    <label>
      {label}
      <SearchInput
        type={type}
        value={params[name] ?? ''}
        placeholder={placeholder}
        onSearch={(value) => setParam(name, value)}
      />
    </label>
  );
}

/** One value of a fixed list; `anyLabel` names the empty choice (none when null, as for a sort). */
export function SelectFilter({
  name,
  label,
  options,
  anyLabel = 'Any',
}: {
  name: string;
  label: string;
  options: readonly FilterOption[];
  anyLabel?: string | null;
}) {
  const { params, setParam } = useList();
  return (
    <label>
      {label}
      <select value={params[name] ?? ''} onChange={(e) => setParam(name, e.target.value)}>
        {anyLabel !== null ? <option value="">{anyLabel}</option> : null}
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </label>
  );
}

export function DateFilter({ name, label }: { name: string; label: string }) {
  const { params, setParam } = useList();
  return (
    <label>
      {label}
      <input
        type="date"
        value={params[name] ?? ''}
        onChange={(e) => setParam(name, e.target.value)}
      />
    </label>
  );
}

/** A yes-only filter: ticked sends `name=true`, unticked sends nothing. */
export function CheckboxFilter({ name, label }: { name: string; label: string }) {
  const { params, setParam } = useList();
  return (
    <label className="checkbox">
      <input
        type="checkbox"
        checked={params[name] === 'true'}
        onChange={(e) => setParam(name, e.target.checked ? 'true' : undefined)}
      />
      {label}
    </label>
  );
}
