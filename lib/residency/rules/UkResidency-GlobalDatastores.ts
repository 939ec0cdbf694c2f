import { ALLOWED_REGION } from '../regions';
import { denyTypes } from '../rule';

/** No data stores that exist to span regions. */
export const GlobalDatastores = denyTypes(
  {
    id: 'UkResidency-GlobalDatastores',
    info: 'No global databases, global replication groups or S3 Multi-Region Access Points.',
    explanation:
      'Aurora global databases, ElastiCache global datastores, DocumentDB global clusters and S3 Multi-Region ' +
      `Access Points exist to replicate or route data across regions, out of ${ALLOWED_REGION}.`,
  },
  {
    'AWS::RDS::GlobalCluster': 'an Aurora global database replicates to secondary regions',
    'AWS::DocDB::GlobalCluster': 'a DocumentDB global cluster replicates to secondary regions',
    'AWS::ElastiCache::GlobalReplicationGroup': 'a global datastore replicates to secondary regions',
    'AWS::MemoryDB::MultiRegionCluster': 'a multi-Region cluster replicates to other regions',
    'AWS::S3::MultiRegionAccessPoint': 'it routes requests to buckets in several regions',
    'AWS::S3::MultiRegionAccessPointPolicy': 'it belongs to a Multi-Region Access Point',
  },
);
