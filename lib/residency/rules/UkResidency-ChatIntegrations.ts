import { ALLOWED } from '../regions';
import { denyTypes } from '../rule';

/**
 * No chat integrations: AWS Chatbot (Amazon Q Developer in chat applications) stores its configuration in its own
 * regions, none of them London, and posts notifications (alarm texts, events) to Slack, Microsoft Teams or Chime.
 */
export const ChatIntegrations = denyTypes(
  {
    id: 'UkResidency-ChatIntegrations',
    info: 'No AWS Chatbot (chat applications) channel configurations or custom actions.',
    explanation:
      'AWS Chatbot APIs are available in US East (Ohio), US West (Oregon), Asia Pacific (Singapore) and Europe ' +
      '(Ireland) only, and its configuration data is stored in each of them (AWS Chatbot API Reference: ' +
      'https://docs.aws.amazon.com/chatbot/latest/APIReference/Welcome.html); the notifications it relays go to a chat ' +
      `service outside AWS. Either way data of this service leaves ${ALLOWED}; send alarms to operators by e-mail.`,
  },
  {},
  { 'AWS::Chatbot::': 'AWS Chatbot keeps its configuration outside London and posts to a chat service outside AWS' },
);
