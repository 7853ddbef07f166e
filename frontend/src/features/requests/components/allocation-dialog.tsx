import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { Dialog } from '@/components/ui/dialog';
import { ErrorMessage } from '@/components/ui/error-message';
import { Scanner, type ScannerMessage } from '@/components/scanner/scanner';
import { notFoundMessage, resolveScan } from '@/components/scanner/resolve-scan';
import { errorText } from '@/components/ui/error-message';
import { useLocations } from '@/features/storage/api/locations';
import {
  freeAfterReservations,
  LocationPicker,
} from '@/features/storage/components/location-picker';
import { ApiError } from '@/lib/api-client';
import type { Allocation } from '@/lib/types';

export interface AllocationCrate {
  id: number;
  number: string;
}

interface AllocationDialogProps {
  open: boolean;
  title: string;
  crates: AllocationCrate[];
  unit: number | undefined;
  confirmLabel: string;
  /** Send-back receipt may leave a crate unallocated (back to its previous place). */
  optional?: boolean;
  /** What is being received, one line each (a send-back's crates and documents). */
  items?: string[];
  onClose: () => void;
  onConfirm: (allocations: Allocation[]) => Promise<unknown>;
}

/** Assigns every crate a location with free capacity (storage execution, transfer receipt). */
export function AllocationDialog({
  open,
  title,
  crates,
  unit,
  confirmLabel,
  optional,
  items,
  onClose,
  onConfirm,
}: AllocationDialogProps) {
  const [choice, setChoice] = useState<Record<number, number | ''>>({});
  const [errors, setErrors] = useState<Record<number, string>>({});
  const [apiError, setApiError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // Scanning several crates: a crate's label, then the label of the location it goes to.
  const [scanning, setScanning] = useState<AllocationCrate | null>(null);
  const [scanMessage, setScanMessage] = useState<ScannerMessage | null>(null);
  const locations = useLocations({ unit }, open && unit !== undefined);

  useEffect(() => {
    if (open) {
      setChoice({});
      setErrors({});
      setApiError(null);
      setScanning(null);
      setScanMessage(null);
    }
  }, [open]);

  // Places picked for other crates in this form count against a location's free capacity.
  const reservedFor = useMemo(() => {
    return (crateId: number) => {
      const map = new Map<number, number>();
      for (const [id, location] of Object.entries(choice)) {
        if (Number(id) === crateId || !location) continue;
        map.set(location, (map.get(location) ?? 0) + 1);
      }
      return map;
    };
  }, [choice]);

  const onScan = async (code: string) => {
    const crate = crates.find((c) => c.number.toUpperCase() === code.toUpperCase());
    if (crate) {
      setScanning(crate);
      setScanMessage({ tone: 'ok', text: `${crate.number}: now scan its location's label.` });
      return;
    }
    try {
      const result = await resolveScan(code);
      if (!result) {
        setScanMessage({ tone: 'error', text: notFoundMessage(code) });
      } else if (result.kind !== 'location') {
        setScanMessage({ tone: 'error', text: `${result.number_or_code} is not in this list.` });
      } else if (!scanning) {
        setScanMessage({ tone: 'error', text: "Scan a crate's label first, then its location's." });
      } else {
        // The same rules as choosing from the list: an active place of this unit with room.
        const place = locations.data?.find((location) => location.id === result.id);
        if (!place || !place.capacity || place.is_active === false) {
          setScanMessage({
            tone: 'error',
            text: `${result.location_path} is not an active place for crates here.`,
          });
        } else if (freeAfterReservations(place, reservedFor(scanning.id)) <= 0) {
          setScanMessage({ tone: 'error', text: `${place.path} has no free place.` });
        } else {
          setChoice((c) => ({ ...c, [scanning.id]: place.id }));
          setErrors(({ [scanning.id]: _answered, ...rest }) => rest);
          setScanMessage({ tone: 'ok', text: `${scanning.number} → ${place.path}.` });
          setScanning(null);
        }
      }
    } catch (error) {
      setScanMessage({ tone: 'error', text: errorText(error) });
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found: Record<number, string> = {};
    if (!optional) {
      for (const crate of crates) if (!choice[crate.id]) found[crate.id] = 'Choose a location.';
    }
    setErrors(found);
    if (Object.keys(found).length) return;
    setBusy(true);
    setApiError(null);
    try {
      await onConfirm(
        crates
          .filter((crate) => choice[crate.id])
          .map((crate) => ({ crate: crate.id, location: Number(choice[crate.id]) })),
      );
      onClose();
    } catch (error) {
      setApiError(error);
    } finally {
      setBusy(false);
    }
  };

  const allocationMessage =
    apiError instanceof ApiError ? apiError.fieldErrors.allocations?.join(' ') : undefined;
  return (
    <Dialog open={open} onClose={onClose} title={title} wide>
      <form onSubmit={submit} noValidate className="form" data-testid="allocation-dialog">
        {items?.length ? (
          <>
            <h3 className="dialog__subhead">Being received</h3>
            <ul className="plain-list" data-testid="allocation-items">
              {items.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          </>
        ) : null}
        {optional && crates.length > 0 ? (
          <p className="muted">
            Leave a crate without a choice to return it to its previous location.
          </p>
        ) : null}
        {optional && crates.length === 0 ? (
          <p className="muted">The documents go back into their crates; no location is needed.</p>
        ) : null}
        {crates.length > 1 ? (
          <Scanner
            label="Scan a crate's label, then its location's label"
            placeholder="CRT-… then LOC-…"
            buttonLabel="Scan"
            message={scanMessage}
            onCode={onScan}
          />
        ) : null}
        {crates.map((crate) => (
          <LocationPicker
            key={crate.id}
            scannable={crates.length === 1}
            label={`Location for ${crate.number}`}
            unit={unit}
            value={choice[crate.id] ?? ''}
            reserved={reservedFor(crate.id)}
            onChange={(value) => {
              setChoice((c) => ({ ...c, [crate.id]: value }));
              // A choice answers "Choose a location." at once, not at the next submit.
              if (value) setErrors(({ [crate.id]: _answered, ...rest }) => rest);
            }}
            error={errors[crate.id]}
          />
        ))}
        {allocationMessage ? (
          <div className="field__error" role="alert">
            {allocationMessage}
          </div>
        ) : null}
        <ErrorMessage error={apiError} handledFields={['allocations']} />
        <div className="form-actions">
          <button type="submit" className="btn btn--primary" disabled={busy}>
            {busy ? 'Saving…' : confirmLabel}
          </button>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
