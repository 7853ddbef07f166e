import { openFile } from '@/lib/api-client';
import type { LabelFormat } from '@/lib/types';

export const LABEL_FORMATS: { value: LabelFormat; label: string }[] = [
  { value: 'single', label: 'Single labels (100 × 70 mm)' },
  { value: 'avery-l7163', label: 'Avery L7163 sheet (A4, 14 a sheet)' },
  { value: 'avery-5163', label: 'Avery 5163 sheet (Letter, 10 a sheet)' },
  { value: 'zpl', label: 'Zebra printer (ZPL file)' },
];

/** The API's limit of labels in one call (`POST /api/labels/`). */
export const MAX_LABELS = 500;

export type LabelTarget = { crates: number[] } | { locations: number[]; subtree?: boolean };

/** Opens the label PDF (or saves the ZPL file) for crates or locations. */
export function printLabels(target: LabelTarget, format: LabelFormat): Promise<void> {
  const name = 'crates' in target ? 'crate-labels' : 'location-labels';
  const filename = format === 'zpl' ? `${name}.zpl` : `${name}-${format}.pdf`;
  return openFile('labels/', filename, undefined, { ...target, format });
}
