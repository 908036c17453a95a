// OpenStack's own addons, for the descriptor (cloud.ts): kubernetes/cloud-provider-openstack
// v1.36.0 — its cloud controller manager and Cinder CSI driver, charts 2.36.0 (neither ships a
// values schema) — the values Slipway sets and the images they pull. Both sign in with one
// application credential Terraform makes (cloud-glue.ts), as cloud.conf in kube-system/cloud-config.
// Model layer: imports only the model.
import type { CloudAddons } from "../../clusters/model/cloud";
import type { OpenstackClusterConfig } from "./cloud";

export const CLOUD_CONFIG_SECRET = { name: "cloud-config", key: "cloud.conf" } as const;
const REPO = "https://kubernetes.github.io/cloud-provider-openstack";

export const openstackAddons: CloudAddons<OpenstackClusterConfig> = {
  cloudController: {
    chart: {
      chart: "openstack-cloud-controller-manager",
      repo: REPO,
      version: "2.36.0",
      namespace: "kube-system",
      delivers: "nodes initialized by the cloud (zones, addresses, provider ids), removed with their instances",
    },
    values: (config) => ({
      secret: { enabled: true, create: false, name: CLOUD_CONFIG_SECRET.name },
      // no route controller: flannel's VXLAN needs no routes in Neutron
      enabledControllers: ["cloud-node", "cloud-node-lifecycle", ...(config.addons.cloudController.loadBalancers ? ["service"] : [])],
      // the host's resolvers: cluster DNS cannot run before this controller initialized a node
      dnsPolicy: "Default",
      // the chart mounts the flexvolume folder (read-only /usr on Flatcar) and the host's PKI: neither is needed
      extraVolumes: [],
      extraVolumeMounts: [],
      cluster: { name: config.name },
    }),
    images: () => [
      {
        name: "openstack-cloud-controller-manager",
        runs: "the cloud controller manager (DaemonSet on masters)",
        ref: "registry.k8s.io/provider-os/openstack-cloud-controller-manager:v1.36.0",
      },
    ],
  },
  storage: {
    chart: {
      chart: "openstack-cinder-csi",
      repo: REPO,
      version: "2.36.0",
      namespace: "kube-system",
      delivers: "persistent volumes on Cinder (default StorageClass, expansion, zones)",
    },
    provisioner: "cinder.csi.openstack.org",
    classBase: "cinder",
    parameters: (config): Record<string, string> => (config.openstack.volumeType ? { type: config.openstack.volumeType } : {}),
    values: (config) => ({
      secret: { enabled: true, create: false, hostMount: false, name: CLOUD_CONFIG_SECRET.name, filename: CLOUD_CONFIG_SECRET.key },
      // Slipway's own StorageClasses (bootstrap/addons/cloud.ts): the chart's bind at once, in any zone
      storageClass: { enabled: false },
      clusterID: config.name,
    }),
    images: () => [
      { name: "cinder-csi-plugin", runs: "the Cinder CSI driver", ref: "registry.k8s.io/provider-os/cinder-csi-plugin:v1.36.0" },
      ...Object.entries({
        "csi-attacher": "v4.10.0",
        "csi-provisioner": "v5.3.0",
        "csi-snapshotter": "v8.4.0",
        "csi-resizer": "v1.14.0",
        livenessprobe: "v2.17.0",
        "csi-node-driver-registrar": "v2.15.0",
      }).map(([c, tag]) => ({ name: c, runs: "a CSI sidecar of the Cinder driver", ref: `registry.k8s.io/sig-storage/${c}:${tag}` })),
    ],
  },
  secrets: (config) =>
    config.addons.cloudController.enabled || config.addons.storage.enabled
      ? [{ name: CLOUD_CONFIG_SECRET.name, data: { [CLOUD_CONFIG_SECRET.key]: "openstack-cloud-config" } }]
      : [],
};

/**
 * cloud.conf from Terraform's values (token strings): Keystone's public URL, the region, the
 * application credential, and where load balancers go when they are on.
 */
export function openstackCloudConf(v: {
  authUrl: string;
  region: string;
  credentialId: string;
  credentialSecret: string;
  loadBalancer?: { floatingNetworkId: string; subnetId: string };
}): string {
  return [
    "[Global]",
    `auth-url=${v.authUrl}`,
    `region=${v.region}`,
    `application-credential-id=${v.credentialId}`,
    `application-credential-secret=${v.credentialSecret}`,
    "",
    "[LoadBalancer]",
    ...(v.loadBalancer
      ? ["enabled=true", `floating-network-id=${v.loadBalancer.floatingNetworkId}`, `subnet-id=${v.loadBalancer.subnetId}`]
      : ["enabled=false"]),
    "",
    "[BlockStorage]",
    "ignore-volume-az=false",
    "",
    "[Metadata]",
    "search-order=metadataService,configDrive",
    "",
  ].join("\n");
}
