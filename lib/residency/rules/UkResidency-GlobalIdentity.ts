import { ALLOWED } from '../regions';
import { denyTypes } from '../rule';

/**
 * No IAM identities of people and no secrets kept by IAM: IAM's control plane, which stores every user, access key,
 * login profile, MFA device and server certificate, is in US East (N. Virginia) and replicates to every enabled region.
 * Roles, which this service's functions need, hold no personal data; their names and tags are a review point.
 */
export const GlobalIdentity = denyTypes(
  {
    id: 'UkResidency-GlobalIdentity',
    info: 'No IAM users, access keys, group memberships, virtual MFA devices or IAM server certificates.',
    explanation:
      'IAM has one control plane for all commercial Regions, in US East (N. Virginia), and propagates its data to the ' +
      'IAM data plane of every enabled Region (AWS IAM User Guide, "Resilience in AWS Identity and Access Management": ' +
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/disaster-recovery-resiliency.html). An IAM user is a person: ' +
      "their name, tags, password, keys and MFA device, and a server certificate's private key, are stored outside " +
      `${ALLOWED} whatever the template says. People sign in through the landing zone's identity provider instead.`,
  },
  {
    'AWS::IAM::User': 'an IAM user (a person) is stored in the IAM control plane in us-east-1 and replicated to every region',
    'AWS::IAM::AccessKey': "an access key is stored in the IAM control plane in us-east-1 with its user's identity",
    'AWS::IAM::UserToGroupAddition': 'it adds people (IAM users) to a group in the global IAM control plane',
    'AWS::IAM::VirtualMFADevice': "a virtual MFA device's seed is stored in the IAM control plane in us-east-1",
    'AWS::IAM::ServerCertificate': "an IAM server certificate's private key is stored in the IAM control plane in us-east-1",
  },
);
