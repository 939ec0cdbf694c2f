import { ALLOWED } from '../regions';
import { denyTypes } from '../rule';

/** ECR images are not replicated out of the registry. */
export const EcrReplication = denyTypes(
  {
    id: 'UkResidency-EcrReplication',
    info: 'No ECR replication configuration.',
    explanation: `A registry replication configuration copies every pushed image (code and anything baked into it) to other regions or accounts, outside ${ALLOWED}.`,
  },
  { 'AWS::ECR::ReplicationConfiguration': 'it copies images to other regions or accounts' },
);
