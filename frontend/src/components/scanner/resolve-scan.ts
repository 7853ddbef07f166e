import { api, ApiError } from '@/lib/api-client';
import type { ScanResult } from '@/lib/types';

/**
 * What a scanned code is (`GET /api/scan/`): a crate, a location or a document of the user's
 * units. Resolves to `null` when the code is none of these (the API's 404: unknown codes and
 * another unit's look the same); other errors (a blank code, a document number in two crates,
 * the network) are thrown as `ApiError`, whose `message` can be shown as it is.
 */
export async function resolveScan(code: string, signal?: AbortSignal): Promise<ScanResult | null> {
  try {
    return await api.get<ScanResult>('scan/', { code }, signal);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

/** The sentence a scan box shows for a code that is not a crate, location or document of the user's units. */
export function notFoundMessage(code: string): string {
  return `${code} is not a crate, location or document of your units. Check the label, or type the number.`;
}
