import { ALLOWED } from '../regions';
import { denyTypes, type ResourceRule } from '../rule';

/** Properties that make a regional data store a member of a cross-region one, by type. */
const MEMBERSHIP: Readonly<Record<string, readonly string[]>> = {
  'AWS::RDS::DBCluster': ['GlobalClusterIdentifier'],
  'AWS::DocDB::DBCluster': ['GlobalClusterIdentifier'],
  'AWS::Neptune::DBCluster': ['GlobalClusterIdentifier'],
  'AWS::ElastiCache::ReplicationGroup': ['GlobalReplicationGroupId'],
  'AWS::MemoryDB::Cluster': ['MultiRegionClusterName'],
};

const types = denyTypes(
  {
    id: 'UkResidency-GlobalDatastores',
    info: 'No global databases, global replication groups or S3 Multi-Region Access Points.',
    explanation:
      'Aurora global databases ("a single Aurora database to span multiple AWS Regions", Amazon Aurora User Guide: ' +
      'https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database.html), ElastiCache global ' +
      'datastores, DocumentDB global clusters, MemoryDB multi-Region clusters and S3 Multi-Region Access Points exist ' +
      `to replicate or route data across regions, out of ${ALLOWED}; so does a cluster that joins one.`,
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

/** No data stores that exist to span regions, and no regional data store joined to one. */
export const GlobalDatastores: ResourceRule = {
  ...types,
  info: 'No global databases, global replication groups or S3 Multi-Region Access Points, and no cluster joined to one.',
  check(resource) {
    const hits = types.check(resource);
    for (const property of MEMBERSHIP[resource.type] ?? []) {
      const value = resource.properties[property];
      if (value !== undefined && value !== '') hits.push({ path: [property], message: `member of a cross-region data store (${property})` });
    }
    return hits;
  },
};
