import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { Scanner, type ScannerMessage } from '@/components/scanner/scanner';
import { notFoundMessage, resolveScan } from '@/components/scanner/resolve-scan';
import { errorText } from '@/components/ui/error-message';
import type { ScanResult } from '@/lib/types';

interface ScanBoxProps {
  /**
   * A crate was scanned (or a document: its crate). Without it the box opens what was
   * scanned: the crate, or the location in the storage tree.
   */
  onFound?: (crateId: number, result: ScanResult) => unknown;
  label?: string;
}

/**
 * The crate scan box: a hand scanner (it types the number and Enter), typing, or the camera.
 * Not a form: on New request it sits inside the request's form (see Scanner).
 */
export function ScanBox({ onFound, label = 'Scan or type a crate number' }: ScanBoxProps) {
  const navigate = useNavigate();
  const [message, setMessage] = useState<ScannerMessage | null>(null);

  const onCode = async (code: string) => {
    setMessage(null);
    try {
      const result = await resolveScan(code);
      if (!result) {
        setMessage({ tone: 'error', text: notFoundMessage(code) });
        return;
      }
      if (result.kind === 'location') {
        if (onFound) {
          setMessage({
            tone: 'error',
            text: `${result.number_or_code} is a location (${result.location_path}); scan a crate's label.`,
          });
        } else {
          navigate(`/storage?location=${result.id}`);
        }
        return;
      }
      const crateId = result.crate ?? result.id;
      if (onFound) {
        await onFound(crateId, result);
        setMessage({
          tone: 'ok',
          text:
            result.kind === 'document'
              ? `Document ${result.number_or_code}: its crate was added.`
              : `${result.number_or_code} added.`,
        });
      } else {
        navigate(`/crates/${crateId}`);
      }
    } catch (error) {
      setMessage({ tone: 'error', text: errorText(error) });
    }
  };

  return (
    <Scanner
      onCode={onCode}
      label={label}
      message={message}
      buttonLabel={onFound ? 'Add' : 'Open'}
    />
  );
}
