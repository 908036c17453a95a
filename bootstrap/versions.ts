// Every container image the node configs run, in one place: from registries without anonymous
// pull limits (registry.k8s.io, quay.io, ghcr.io, public.ecr.aws — not Docker Hub, which allows 10
// anonymous pulls per hour per address: a pool behind one SNAT address would take hours to join),
// and pinned by digest wherever the digest is known.
//
//   etcd 3.6 from registry.k8s.io: what Kubernetes 1.34+ ships with (kubeadm); it carries etcdctl
//   flannel 0.28 and its CNI plugin: the pair flannel's own manifest references
//   haproxy 3.2 (LTS), Docker's official image as ECR Public mirrors it: the local API load balancer
//   CoreDNS 1.14: what kubeadm 1.36 deploys
//   control-plane images follow the cluster's Kubernetes version (registry.k8s.io)
//
// Digests: the ones below were read from public, Renovate-maintained manifests that pin these
// exact tags (2026). An image pulled by tag only says why (tagOnly). `slipway images` prints the
// list with each image's pin.

import type { ClusterConfig } from "../clusters/model/schema";
import { addonImages } from "./addons/images";

export interface PinnedImage {
  /** registry/repository:tag */
  ref: string;
  /** sha256:… of the manifest (list) the tag pointed at when it was pinned */
  digest?: string;
  /** why an image is pulled by tag only */
  tagOnly?: string;
}

const pin = (ref: string, digest: string): PinnedImage => ({ ref, digest });

export const IMAGES = {
  etcd: pin("registry.k8s.io/etcd:v3.6.11", "sha256:fbab3d2954652f592b2653cc1b9decdbe2a633de9320735e9f364b185b6b309a"),
  flannel: pin("ghcr.io/flannel-io/flannel:v0.28.4", "sha256:cc44a1a8969c4f14b8dd45664546f14abc3fc7682b125399103e555f1ad2528b"),
  flannelCni: pin(
    "ghcr.io/flannel-io/flannel-cni-plugin:v1.9.1-flannel1",
    "sha256:7c3377e977b4b77b8efdad96e207ebee371537d6dcd7b9c40853cf0c0f0aade3",
  ),
  haproxy: {
    ref: "public.ecr.aws/docker/library/haproxy:3.2.13-alpine",
    tagOnly: "Docker's official images are rebuilt under the same tag for base-image fixes; the tag fixes the haproxy release",
  },
  pause: pin("registry.k8s.io/pause:3.10", "sha256:ee6521f290b2168b6e0935a181d4cff9be1ac3f505666ef0e3c98fae8199917a"),
  // digest as cilium-cli's Renovate-maintained defaults pin this tag
  coredns: pin("registry.k8s.io/coredns/coredns:v1.14.2", "sha256:e7e6440cfd1e919280958f5b5a6ab2b184d385bba774c12ad2a9e1e4183f90d9"),
  // the addons' installer (bootstrap/addons/charts.ts) and the Helm its install Jobs run (klipper-helm
  // bundles Helm 3.18.6), as helm-controller v0.17.7's own manifest names it
  helmController: {
    ref: "ghcr.io/k3s-io/helm-controller:v0.17.7",
    tagOnly: "its release workflow publishes no digest Slipway could read offline; the tag is the release",
  },
  helmJob: {
    ref: "ghcr.io/k3s-io/klipper-helm:v0.9.10-build20251111",
    tagOnly: "as helm-controller v0.17.7's manifest names it; build tags are not reused",
  },
} as const satisfies Record<string, PinnedImage>;

export type KubeComponent = "kube-apiserver" | "kube-controller-manager" | "kube-scheduler" | "kube-proxy";

/** Digests of the control-plane images per Kubernetes release, where known. */
const KUBE_DIGESTS: Record<string, Partial<Record<KubeComponent, string>>> = {
  "1.36.1": {
    "kube-apiserver": "sha256:2460df74307cafacf674573c88df511aeb1aece9daa7fbd968fe27cb1c8c4588",
    "kube-controller-manager": "sha256:c8adb8daee5b30576bd87638a89351ab8388b3fda466bedb7eacf10cde77dbe7",
    "kube-scheduler": "sha256:3a4333e8ba6e1f74c9bc467c791a06a26808474e8819582cf130cfe0fddc3155",
    "kube-proxy": "sha256:a96b6e12863ef766d18f69afaad7a5329220c37ce21cb232bcb58362d284f3f7",
  },
};

/** registry.k8s.io image of a control-plane component at the cluster's Kubernetes version. */
export function kubeImage(component: KubeComponent, version: string): PinnedImage {
  const ref = `registry.k8s.io/${component}:v${version}`;
  const digest = KUBE_DIGESTS[version]?.[component];
  return digest
    ? pin(ref, digest)
    : { ref, tagOnly: `no digest recorded for Kubernetes ${version}; registry.k8s.io never moves a release tag` };
}

export interface ListedImage {
  name: string;
  runs: string;
  image: PinnedImage;
  /** pulled by an addon's chart (its default values), not named by any machine's config */
  chart?: string;
}

/** Every image a cluster runs, with what runs it: what `slipway images` prints. */
export function clusterImages(config: ClusterConfig): ListedImage[] {
  const version = config.kubernetes.version;
  const addons = addonImages(config);
  return [
    { name: "etcd", runs: "etcd members; the etcd proxy and etcdctl on every machine", image: IMAGES.etcd },
    { name: "flannel", runs: "flanneld on every machine", image: IMAGES.flannel },
    { name: "flannel-cni", runs: "installs the flannel CNI plugin on Kubernetes nodes", image: IMAGES.flannelCni },
    { name: "haproxy", runs: "the local API load balancer on Kubernetes nodes", image: IMAGES.haproxy },
    { name: "pause", runs: "every pod's sandbox (containerd)", image: IMAGES.pause },
    ...(["kube-apiserver", "kube-controller-manager", "kube-scheduler"] as const).map((c) => ({
      name: c,
      runs: "static pod on masters",
      image: kubeImage(c, version),
    })),
    { name: "kube-proxy", runs: "DaemonSet on every Kubernetes node", image: kubeImage("kube-proxy", version) },
    { name: "coredns", runs: "cluster DNS (Deployment)", image: IMAGES.coredns },
    ...(addons.length
      ? [
          { name: "helm-controller", runs: "installs the addons' charts (Deployment on masters)", image: IMAGES.helmController },
          { name: "klipper-helm", runs: "each chart's install Job", image: IMAGES.helmJob },
        ]
      : []),
    ...addons,
  ];
}

/** The reference a runtime pulls: repository:tag@digest when pinned, so the tag stays readable. */
export function imageRef(i: PinnedImage): string {
  return i.digest ? `${i.ref}@${i.digest}` : i.ref;
}

/** Slipway's own version (package.json): part of what the masters record as applied. */
export const SLIPWAY_VERSION = (require("../package.json") as { version: string }).version;

/**
 * The version of the bootstrap objects (kube-proxy, CoreDNS, RBAC) a master carries:
 * `<kubernetes>+slipway.<slipway>`. Masters apply them only over an older one (kube-bootstrap.sh).
 */
export function bootstrapVersion(kubernetesVersion: string): string {
  return `${kubernetesVersion.replace(/^v/, "")}+slipway.${SLIPWAY_VERSION}`;
}
