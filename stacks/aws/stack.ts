// The AWS stack of one cluster, assembled from files by concern.
import { KeyPair } from "@cdktf/provider-aws/lib/key-pair";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { forTerraform } from "../../clusters/model/escape";
import { configureBackend } from "../backend";
import { dnsRecords } from "../dns";
import type { Cluster } from "../../clusters/model/load";
import { clusterOutputs } from "../outputs";
import { TerraformPki } from "../pki";
import { UserDataBudget } from "../userdata";
import { publicApi } from "./api";
import type { AwsClusterConfig } from "./cloud";
import { backupBucket } from "./backups";
import { ConfigStore } from "./configs";
import { etcdMembers } from "./etcd";
import { ebsCsiKey, InstanceRoles } from "./iam";
import { image } from "./image";
import type { MachineContext } from "./machines";
import { masters } from "./masters";
import { network } from "./network";
import { workerPool } from "./pools";
import { securityGroups } from "./security";

export class AwsClusterStack extends TerraformStack {
  readonly budget = new UserDataBudget("aws");

  constructor(scope: Construct, cluster: Cluster<AwsClusterConfig>) {
    // every string from the file, made literal for Terraform; node configs get the file as it is
    const config = forTerraform(cluster.config);
    super(scope, config.name);
    // Credentials: a profile of ~/.aws/config, or the AWS_* variables when `profile` is not set.
    new AwsProvider(this, "aws", {
      region: config.aws.region,
      ...(config.aws.profile ? { profile: config.aws.profile } : {}),
      defaultTags: [{ tags: { "slipway-cluster": config.name } }],
    });
    configureBackend(this, cluster.config); // as written: Terraform reads the backend block literally, templates unevaluated

    const net = network(this, config, cluster.plan);
    const groups = securityGroups(this, config, net);
    const api = publicApi(this, config, cluster.plan, net);
    const csiKey = ebsCsiKey(this, config);
    // the backup bucket is made when the first etcd member's config asks for it, once roles exist
    let roles: InstanceRoles | undefined;
    const pki = new TerraformPki(this, { ...cluster, config }, api.addresses, api.names, {
      "aws-ebs-csi-key-id": () => csiKey().id,
      "aws-ebs-csi-secret-key": () => csiKey().secret,
      ...backupBucket(this, config, () => roles as InstanceRoles),
    });
    roles = new InstanceRoles(this, config);
    const firstKey = config.ssh.authorizedKeys[0];
    const keyPair = firstKey ? new KeyPair(this, "keypair", { keyName: config.name, publicKey: firstKey }) : undefined;
    const ctx: MachineContext = {
      stack: this,
      cluster,
      config,
      net,
      groups,
      image: image(this, config),
      pki,
      budget: this.budget,
      roles: roles as InstanceRoles,
      configs: new ConfigStore(this, config.name),
      ...(keyPair ? { keyPair: keyPair.keyName } : {}),
    };

    const etcd = etcdMembers(ctx);
    const ms = masters(ctx, api);
    for (const pool of cluster.plan.pools) workerPool(ctx, pool);
    ctx.configs.grant(roles);

    const publicIps = ms.map((m) => m.publicIp);
    const names = dnsRecords(this, config, config.aws.apiLoadBalancer ? { cname: api.endpoint } : publicIps, publicIps);
    const endpoint = names ? names.api : api.endpoint;
    clusterOutputs(this, {
      name: config.name,
      endpoint,
      publicIps,
      publicIpsAre: "Elastic IPs of the masters",
      etcd: etcd.map((m) => m.node),
      pki,
    });
  }
}
