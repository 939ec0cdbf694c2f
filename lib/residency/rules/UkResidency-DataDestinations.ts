import { regionOfDestination } from '../intrinsics';
import { ALLOWED } from '../regions';
import type { ResourceRule, RuleHit } from '../rule';
import { select } from '../template';

/**
 * Properties through which a resource sends data, events or logs to another resource, by type. Each must point at
 * something provably in eu-west-2.
 */
export const DESTINATION_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  'AWS::DynamoDB::Table': ['KinesisStreamSpecification.StreamArn'],
  'AWS::DynamoDB::GlobalTable': ['Replicas.*.KinesisStreamSpecification.StreamArn'],
  'AWS::S3::Bucket': [
    'NotificationConfiguration.LambdaConfigurations.*.Function',
    'NotificationConfiguration.QueueConfigurations.*.Queue',
    'NotificationConfiguration.TopicConfigurations.*.Topic',
  ],
  'AWS::ApiGateway::Stage': ['AccessLogSetting.DestinationArn'],
  'AWS::ApiGatewayV2::Stage': ['AccessLogSettings.DestinationArn'],
  'AWS::Logs::SubscriptionFilter': ['DestinationArn'],
  'AWS::Logs::Destination': ['TargetArn'],
  'AWS::Logs::DeliveryDestination': ['DestinationResourceArn'],
  'AWS::Events::Rule': ['Targets.*.Arn', 'Targets.*.DeadLetterConfig.Arn'],
  'AWS::Pipes::Pipe': ['Source', 'Target', 'Enrichment'],
  'AWS::Scheduler::Schedule': ['Target.Arn', 'Target.DeadLetterConfig.Arn'],
  'AWS::Lambda::Function': ['DeadLetterConfig.TargetArn'],
  'AWS::Lambda::EventInvokeConfig': ['DestinationConfig.OnSuccess.Destination', 'DestinationConfig.OnFailure.Destination'],
  'AWS::Lambda::EventSourceMapping': ['EventSourceArn', 'DestinationConfig.OnFailure.Destination'],
  'AWS::SQS::Queue': ['RedrivePolicy.deadLetterTargetArn'],
  'AWS::KinesisFirehose::DeliveryStream': [
    'S3DestinationConfiguration.BucketARN',
    'ExtendedS3DestinationConfiguration.BucketARN',
    'KinesisStreamSourceConfiguration.KinesisStreamARN',
  ],
  'AWS::CloudWatch::Alarm': ['AlarmActions.*', 'OKActions.*', 'InsufficientDataActions.*'],
  'AWS::CloudWatch::CompositeAlarm': ['AlarmActions.*', 'OKActions.*', 'InsufficientDataActions.*'],
  'AWS::CloudWatch::MetricStream': ['FirehoseArn'],
  'AWS::CloudTrail::Trail': ['CloudWatchLogsLogGroupArn'],
  'AWS::WAFv2::LoggingConfiguration': ['LogDestinationConfigs.*'],
  'AWS::StepFunctions::StateMachine': ['LoggingConfiguration.Destinations.*.CloudWatchLogsLogGroup.LogGroupArn'],
  'AWS::CodeDeploy::DeploymentGroup': ['TriggerConfigurations.*.TriggerTargetArn'],
  'AWS::Synthetics::Canary': ['ArtifactConfig.S3Encryption.KmsKeyArn'],
};

/**
 * Every destination (stream, queue, topic, function, log group, event bus, access-log group, alarm action) is a
 * resource of this app or an ARN in eu-west-2. These destinations are configured by an API call made in
 * eu-west-2, so a region-deny never sees where the data goes; only the template shows it.
 */
export const DataDestinations: ResourceRule = {
  id: 'UkResidency-DataDestinations',
  scope: 'resource',
  info: `Every data, event and log destination must be a resource of this app or an ARN in ${ALLOWED}.`,
  explanation:
    'Log subscriptions, event targets, access logs, dead-letter queues, stream specifications and notifications ' +
    'deliver data to the resource they name. A destination in another region (an event bus elsewhere, a log ' +
    `destination in us-east-1) moves the data there, and one whose region cannot be read from the template cannot be shown to stay in ${ALLOWED}.`,
  check(resource) {
    const hits: RuleHit[] = [];
    for (const pattern of DESTINATION_PROPERTIES[resource.type] ?? []) {
      for (const { value, path } of select(resource.properties, pattern)) {
        const verdict = regionOfDestination(value, resource.template, resource.settings);
        if (verdict.kind === 'foreign') hits.push({ path, region: verdict.region, message: `destination in ${verdict.region} (${verdict.how})` });
        else if (verdict.kind === 'unproven') hits.push({ path, message: `destination not shown to be in ${ALLOWED}: ${verdict.how}` });
      }
    }
    return hits;
  },
};
