// The OpenStack stack of one cluster, assembled from files by concern.
import { TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { forTerraform } from "../../clusters/model/escape";
import { configureBackend } from "../backend";
import { dnsRecords } from "../dns";
import type { Cluster } from "../../clusters/model/load";
import { clusterOutputs } from "../outputs";
import { TerraformPki } from "../pki";
import { publicApi } from "./api";
import { UserDataBudget } from "../userdata";
import type { OpenstackClusterConfig } from "./cloud";
import { backupStore } from "./backups";
import { cloudConfig, Identity } from "./cloud-glue";
import { etcdMembers } from "./etcd";
import { ComputeKeypairV2 } from "./gen/compute-keypair-v2";
import { OpenstackProvider } from "./gen/provider";
import { image } from "./image";
import { SwiftConfigStore } from "./configs";
import type { MachineContext } from "./machines";
import { masters } from "./masters";
import { network } from "./network";
import { workerPool } from "./pools";
import { securityGroups } from "./security";

export class OpenstackClusterStack extends TerraformStack {
  readonly budget = new UserDataBudget("openstack");

  constructor(scope: Construct, cluster: Cluster<OpenstackClusterConfig>) {
    // every string from the file, made literal for Terraform; node configs get the file as it is
    const config = forTerraform(cluster.config);
    super(scope, config.name);
    const os = config.openstack;
    // Credentials: a clouds.yaml entry, or the OS_* variables when `cloud` is not set.
    new OpenstackProvider(this, "openstack", {
      ...(os.cloud ? { cloud: os.cloud } : {}),
      ...(os.region ? { region: os.region } : {}),
    });
    configureBackend(this, cluster.config); // as written: Terraform reads the backend block literally, templates unevaluated

    const net = network(this, config, cluster.plan);
    const groups = securityGroups(this, config, net);
    const firstKey = config.ssh.authorizedKeys[0];
    const keyPair = firstKey ? new ComputeKeypairV2(this, "keypair", { name: config.name, publicKey: firstKey }) : undefined;
    const api = publicApi(this, config, cluster.plan, net);
    const identity = new Identity(this, config);
    const pki = new TerraformPki(this, { ...cluster, config }, api.addresses, [], {
      "openstack-cloud-config": cloudConfig(this, config, net, identity),
      ...backupStore(this, config, identity),
    });
    const ctx: MachineContext = {
      stack: this,
      cluster,
      config,
      net,
      groups,
      image: image(this, config),
      pki,
      budget: this.budget,
      configs: new SwiftConfigStore(this, config.name, config.openstack.configStore === "swift"),
      ...(keyPair ? { keyPair: keyPair.name } : {}),
    };

    const etcd = etcdMembers(ctx);
    const ms = masters(ctx, api);
    for (const pool of cluster.plan.pools) workerPool(ctx, pool);

    const publicIps = ms.map((m) => m.publicIp);
    // the API name resolves to the load balancer when there is one, else to every master
    const names = dnsRecords(this, config, config.openstack.apiLoadBalancer ? [api.endpoint] : publicIps, publicIps);
    const endpoint = names ? names.api : api.endpoint;
    clusterOutputs(this, {
      name: config.name,
      endpoint,
      publicIps,
      publicIpsAre: "Floating IPs of the masters",
      etcd: etcd.map((m) => m.node),
      pki,
    });
  }
}
