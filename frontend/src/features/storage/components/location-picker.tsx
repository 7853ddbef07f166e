import { useId, useState } from 'react';
import { Scanner, type ScannerMessage } from '@/components/scanner/scanner';
import { notFoundMessage, resolveScan } from '@/components/scanner/resolve-scan';
import { errorText } from '@/components/ui/error-message';
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
  /** Offer a scan box for the location's label (default true). */
  scannable?: boolean;
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
  scannable = true,
}: LocationPickerProps) {
  const id = useId();
  const [scanMessage, setScanMessage] = useState<ScannerMessage | null>(null);
  const { data, isLoading } = useLocations({ unit }, unit !== undefined);
  const places = (data ?? [])
    .filter(
      (location) =>
        (location.capacity ?? 0) > 0 && location.is_active !== false && location.id !== excludeId,
    )
    .sort((a, b) => a.path.localeCompare(b.path, undefined, { numeric: true }));
  const selected = places.find((location) => location.id === value);

  const onScan = async (code: string) => {
    setScanMessage(null);
    try {
      const result = await resolveScan(code);
      if (!result) {
        setScanMessage({ tone: 'error', text: notFoundMessage(code) });
      } else if (result.kind !== 'location') {
        setScanMessage({
          tone: 'error',
          text: `${result.number_or_code} is a ${result.kind}; scan the location's label.`,
        });
      } else {
        const place = places.find((location) => location.id === result.id);
        if (!place) {
          setScanMessage({
            tone: 'error',
            text: `${result.location_path} is not an active place for crates here.`,
          });
        } else if (freeAfterReservations(place, reserved) <= 0) {
          setScanMessage({ tone: 'error', text: `${place.path} has no free place.` });
        } else {
          onChange(place.id);
          setScanMessage({ tone: 'ok', text: `${place.path} chosen.` });
        }
      }
    } catch (error) {
      setScanMessage({ tone: 'error', text: errorText(error) });
    }
  };
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
      {scannable ? (
        <Scanner
          className="scan--compact"
          label={`${label}: or scan its label`}
          placeholder="LOC-GOA-…"
          buttonLabel="Choose"
          message={scanMessage}
          onCode={onScan}
        />
      ) : null}
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
