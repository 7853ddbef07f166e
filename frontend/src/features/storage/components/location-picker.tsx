import { useId } from 'react';
import type { StorageLocation } from '@/lib/types';
import { useLocations } from '../api/locations';

interface LocationPickerProps {
  unit: number | undefined;
  value: number | '';
  onChange: (value: number | '') => void;
  label: string;
  error?: string;
  /** Places already taken in this form, by location id (several crates to one shelf). */
  reserved?: Map<number, number>;
  excludeId?: number | null;
}

export function freeAfterReservations(location: StorageLocation, reserved?: Map<number, number>) {
  return location.free - (reserved?.get(location.id) ?? 0);
}

/** Chooses a place for a crate; shows each location's path and free capacity. */
export function LocationPicker({
  unit,
  value,
  onChange,
  label,
  error,
  reserved,
  excludeId,
}: LocationPickerProps) {
  const id = useId();
  const { data, isLoading } = useLocations({ unit }, unit !== undefined);
  const places = (data ?? [])
    .filter(
      (location) =>
        (location.capacity ?? 0) > 0 && location.is_active !== false && location.id !== excludeId,
    )
    .sort((a, b) => a.path.localeCompare(b.path, undefined, { numeric: true }));
  const selected = places.find((location) => location.id === value);
  return (
    <div className={`field ${error ? 'field--invalid' : ''}`}>
      <label htmlFor={id} className="field__label">
        {label}
      </label>
      <select
        id={id}
        className="location-picker"
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => onChange(e.target.value ? Number(e.target.value) : '')}
      >
        <option value="">{isLoading ? 'Loading locations…' : 'Choose a location…'}</option>
        {places.map((location) => {
          const free = freeAfterReservations(location, reserved);
          return (
            <option key={location.id} value={location.id} disabled={free <= 0}>
              {location.path} — {free} free of {location.capacity}
            </option>
          );
        })}
      </select>
      {selected ? (
        <div className="field__hint">
          {selected.occupied}/{selected.capacity} occupied
        </div>
      ) : null}
      {error ? (
        <div id={`${id}-error`} className="field__error" role="alert">
          {error}
        </div>
      ) : null}
    </div>
  );
}
