// The OpenStack stack of one cluster, assembled from files by concern.
import { TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { configureBackend } from "../backend";
import { dnsRecords } from "../dns";
import { PORTS } from "../firewall";
import type { Cluster } from "../model/load";
import type { OpenstackClusterConfig } from "../model/schema";
import { adminKubeconfig } from "../kubeconfig";
import { TerraformPki } from "../pki";
import { publicApi } from "./api";
import { UserDataBudget } from "../userdata";
import { etcdMembers } from "./etcd";
import { ComputeKeypairV2 } from "./gen/compute-keypair-v2";
import { OpenstackProvider } from "./gen/provider";
import { imageId } from "./image";
import type { MachineContext } from "./machines";
import { masters } from "./masters";
import { clusterNetwork } from "./network";
import { workerPool } from "./pools";
import { securityGroups } from "./security";

export class OpenstackClusterStack extends TerraformStack {
  readonly budget = new UserDataBudget("openstack");

  constructor(scope: Construct, cluster: Cluster) {
    const config = cluster.config as OpenstackClusterConfig;
    super(scope, config.name);
    const os = config.openstack;
    // Credentials: a clouds.yaml entry, or the OS_* variables when `cloud` is not set.
    new OpenstackProvider(this, "openstack", {
      ...(os.cloud ? { cloud: os.cloud } : {}),
      ...(os.region ? { region: os.region } : {}),
    });
    configureBackend(this, config);

    const net = clusterNetwork(this, config, cluster.plan);
    const groups = securityGroups(this, config);
    const firstKey = config.ssh.authorizedKeys[0];
    const keyPair = firstKey ? new ComputeKeypairV2(this, "keypair", { name: config.name, publicKey: firstKey }) : undefined;
    const api = publicApi(this, config, cluster.plan, net);
    const pki = new TerraformPki(this, cluster, api.addresses);
    const ctx: MachineContext = {
      stack: this,
      pki,
      config,
      net,
      groups,
      imageId: imageId(this, config),
      ...(keyPair ? { keyPair: keyPair.name } : {}),
    };

    const etcd = etcdMembers(ctx, cluster, this.budget);
    const ms = masters(ctx, cluster, api, this.budget);
    for (const pool of cluster.plan.pools) workerPool(ctx, cluster, pool, this.budget);

    const publicIps = ms.map((m) => m.publicIp);
    // the API name resolves to the load balancer when there is one, else to every master
    const names = dnsRecords(this, config, config.openstack.apiLoadBalancer ? [api.endpoint] : publicIps, publicIps);
    const endpoint = names ? names.api : api.endpoint;
    new TerraformOutput(this, "api_endpoint", { description: "Kubernetes API", value: `https://${endpoint}:${PORTS.apiserver}` });
    adminKubeconfig(this, config.name, pki, endpoint);
    new TerraformOutput(this, "master_public_ips", { description: "Floating IPs of the masters", value: publicIps });
    new TerraformOutput(this, "etcd_endpoints", {
      description: "etcd client URLs (reachable from cluster machines only)",
      value: etcd.map((m) => `https://${m.node.ip}:${PORTS.etcdClient}`),
    });
  }
}
