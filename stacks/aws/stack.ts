// The AWS stack of one cluster, assembled from files by concern.
import { KeyPair } from "@cdktf/provider-aws/lib/key-pair";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { configureBackend } from "../backend";
import { dnsRecords } from "../dns";
import { PORTS } from "../firewall";
import { adminKubeconfig } from "../kubeconfig";
import type { Cluster } from "../model/load";
import type { AwsClusterConfig } from "../model/schema";
import { TerraformPki } from "../pki";
import { UserDataBudget } from "../userdata";
import { publicApi } from "./api";
import { ConfigStore } from "./configs";
import { etcdMembers } from "./etcd";
import { InstanceRoles } from "./iam";
import { amiId } from "./image";
import type { AwsContext } from "./machines";
import { masters } from "./masters";
import { awsNetwork } from "./network";
import { workerPool } from "./pools";
import { securityGroups } from "./security";

export class AwsClusterStack extends TerraformStack {
  readonly budget = new UserDataBudget("aws");

  constructor(scope: Construct, cluster: Cluster) {
    const config = cluster.config as AwsClusterConfig;
    super(scope, config.name);
    // Credentials: a profile of ~/.aws/config, or the AWS_* variables when `profile` is not set.
    new AwsProvider(this, "aws", {
      region: config.aws.region,
      ...(config.aws.profile ? { profile: config.aws.profile } : {}),
      defaultTags: [{ tags: { "slipway-cluster": config.name } }],
    });
    configureBackend(this, config);

    const net = awsNetwork(this, config, cluster.plan);
    const groups = securityGroups(this, config, net);
    const api = publicApi(this, config, cluster.plan, net);
    const pki = new TerraformPki(this, cluster, api.addresses, api.names);
    const roles = new InstanceRoles(this, config);
    const firstKey = config.ssh.authorizedKeys[0];
    const keyPair = firstKey ? new KeyPair(this, "keypair", { keyName: config.name, publicKey: firstKey }) : undefined;
    const ctx: AwsContext = {
      stack: this,
      config,
      net,
      groups,
      roles,
      ami: amiId(this, config),
      pki,
      configs: new ConfigStore(this, config.name),
      budget: this.budget,
      ...(keyPair ? { keyName: keyPair.keyName } : {}),
    };

    const etcd = etcdMembers(ctx, cluster);
    const ms = masters(ctx, cluster, api);
    for (const pool of cluster.plan.pools) workerPool(ctx, cluster, pool);
    ctx.configs.grant(roles);

    const publicIps = ms.map((m) => m.publicIp);
    const names = dnsRecords(this, config, config.aws.apiLoadBalancer ? { cname: api.endpoint } : publicIps, publicIps);
    const endpoint = names ? names.api : api.endpoint;
    new TerraformOutput(this, "api_endpoint", { description: "Kubernetes API", value: `https://${endpoint}:${PORTS.apiserver}` });
    new TerraformOutput(this, "master_public_ips", { description: "Elastic IPs of the masters", value: publicIps });
    new TerraformOutput(this, "etcd_endpoints", {
      description: "etcd client URLs (reachable from cluster machines only)",
      value: etcd.map((m) => `https://${m.node.ip}:${PORTS.etcdClient}`),
    });
    adminKubeconfig(this, config.name, pki, endpoint);
  }
}
