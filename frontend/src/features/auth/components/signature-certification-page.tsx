import { Card, PageHeader } from '@/components/ui/misc';
import { useCurrentUser } from '@/contexts/AuthContext';
import { formatDateTime } from '@/lib/format';
import { CertificationForm } from './certification-form';

/** The user's electronic signature: certified when, or the certification (21 CFR 11.100(c)). */
export function SignatureCertificationPage() {
  const user = useCurrentUser();
  return (
    <>
      <PageHeader title="Electronic signature" />
      <Card>
        {user.signature_certified_at ? (
          <p data-testid="certified-at">
            You certified your electronic signature on{' '}
            <strong>{formatDateTime(user.signature_certified_at)}</strong>. You can sign approvals,
            destructions and reviews.
          </p>
        ) : (
          <>
            <p>
              Before your first electronic signature, certify once that it is the legally binding
              equivalent of your handwritten signature.
            </p>
            <CertificationForm />
          </>
        )}
      </Card>
    </>
  );
}
