// The VM tier's emulation layer, declared in one place: every way a machine of test/vm.test.ts
// differs from a Flatcar machine on OpenStack, and why. The Ignition configs under test are
// byte-identical to what `slipway render` writes (the test compares them); everything here is
// around them — in the base image (test/vm/base-image.sh), in what the harness adds beside the
// config on each root disk (test/helpers/vm.ts), or in the namespace network the machines share.
// The test prints this list; the README's "VM system test" section repeats it.
import { IMAGES } from "../../bootstrap/versions";

/** The base machine: Debian 12 standing in for Flatcar's /usr (systemd, Docker, the same tools). */
export const BASE = {
  suite: "bookworm",
  /** what Flatcar ships that our units and scripts use, plus the kernel, sshd (the test's way in) and sudo */
  packages: [
    "systemd",
    "systemd-sysv",
    "udev",
    "dbus",
    "libnss-myhostname",
    "docker.io",
    "iproute2",
    "iptables",
    "e2fsprogs",
    "util-linux",
    "mount",
    "curl",
    "jq",
    "openssl",
    "gzip",
    "ca-certificates",
    "procps",
    "kmod",
    "linux-image-amd64",
    "openssh-server",
    "sudo",
  ],
  /** kernel command line: the root disk, the serial console, and no Debian security module (Flatcar has no AppArmor; SELinux stays off as Flatcar runs it permissive) */
  kernelArgs: "root=/dev/vda rw console=ttyS0 panic=-1 apparmor=0 selinux=0",
} as const;

/**
 * etcd settings for software emulation, added to the member's start by a drop-in the harness
 * writes beside the config (test/helpers/vm.ts) — the rendered etcd.env stays as it is:
 * - heartbeat and election timeout ten times etcd's defaults (100 ms / 1 s): a TCG machine
 *   stalls for seconds, and every stall would start an election;
 * - bcrypt cost 4 instead of 10: etcd hashes node users' passwords with bcrypt and checks one at
 *   every authentication; at cost 10 that takes seconds of emulated CPU each time.
 */
export const ETCD_TCG_SETTINGS = { ETCD_HEARTBEAT_INTERVAL: "1000", ETCD_ELECTION_TIMEOUT: "10000", ETCD_BCRYPT_COST: "4" } as const;

export interface Concession {
  what: string;
  instead: string;
  why: string;
}

/** Units a machine of this tier cannot run offline: masked by a generator of the base image. */
export const MASKED_UNITS: { unit: string; why: string }[] = [
  { unit: "flanneld.service", why: `its image ${IMAGES.flannel.ref} cannot be pulled offline` },
  { unit: "flannel-cni.service", why: `its image ${IMAGES.flannelCni.ref} cannot be pulled offline` },
  { unit: "api-lb.service", why: `its image ${IMAGES.haproxy.ref} cannot be pulled offline` },
  {
    unit: "kubelet.service",
    why: "the configs are rendered for an image with Kubernetes baked in (kubernetes.binaries.source: image), and the base has no kubelet: it cannot be fetched offline",
  },
];

export const CONCESSIONS: Concession[] = [
  {
    what: "first boot",
    instead: "Ignition runs in Flatcar's initramfs (fetch, disks, files stages) on the machine",
    why: "the real ignition binary applies the rendered config's files stage into the root before the machine boots, then the Ignition preset is enabled unit by unit as Flatcar's first boot does (test/helpers/ignition.ts)",
  },
  {
    what: "operating system",
    instead: "Flatcar Container Linux",
    why: "a Debian 12 root file system built with debootstrap (systemd 252, docker.io 20.10, Debian's kernel), cached per machine; Flatcar's images cannot be fetched offline",
  },
  {
    what: "etcd image",
    instead: `${IMAGES.etcd.ref}@${IMAGES.etcd.digest}`,
    why: "a local image holding Debian's etcd and etcdctl (version printed by the test) at the same paths, and etcdctl again as etcdutl (etcd 3.4 has none; its etcdctl's `snapshot status|restore` take the same flags, without 3.5's --bump-revision); /usr/bin/docker of the base is a wrapper that replaces the pinned reference by it and logs the substitution",
  },
  {
    what: "addresses",
    instead: "Neutron's DHCP handing out the planned fixed addresses",
    why: "systemd-networkd with a static address per MAC (written beside the config on each root disk), default route via the planned gateway, which the namespace holds",
  },
  {
    what: "metadata service",
    instead: "Nova's metadata service on 169.254.169.254",
    why: "a small server inside the test's namespace answering /openstack/latest/meta_data.json with a uuid per instance; a replaced instance gets a new uuid",
  },
  {
    what: "volumes",
    instead: "Cinder volumes attached as /dev/vdb",
    why: "a second virtio disk per etcd member (sparse file); an instance replaced keeps the same file, as Terraform keeps the volume",
  },
  {
    what: "etcd timing and bcrypt cost",
    instead: "etcd's defaults (heartbeat 100 ms, election timeout 1 s, bcrypt cost 10)",
    why: `a drop-in etcd-member.service.d/90-emulation.conf appends ${Object.entries(ETCD_TCG_SETTINGS)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ")} to the member's start (after etcd-join): software emulation stalls for seconds and makes each bcrypt take seconds`,
  },
  {
    what: "update_engine_client",
    instead: "Flatcar's update engine",
    why: "a stub: an update counts as installed when /var/lib/slipway-emulation/update-installed holds the current boot id (the test writes it); after a reboot it is applied",
  },
  {
    what: "ssh keys",
    instead: "Flatcar's sshd reading ~/.ssh/authorized_keys.d",
    why: "sshd_config.d of the base names .ssh/authorized_keys.d/ignition; the core user (uid 500, groups sudo and docker) exists in the base as on Flatcar; host names resolve by nss-myhostname",
  },
  {
    what: "Debian's own timers",
    instead: "(Flatcar has none of them)",
    why: "apt-daily, e2scrub, fstrim and dpkg-db-backup timers masked in the base: they would only load a machine under emulation",
  },
  ...MASKED_UNITS.map((m) => ({ what: m.unit, instead: "runs", why: `masked: ${m.why}` })),
];

/** What the test prints before it boots anything. */
export function describeEmulation(etcdStandIn: string): string {
  const lines = ["VM tier emulation (test/vm/emulation.ts):"];
  for (const c of CONCESSIONS) lines.push(`  - ${c.what}: ${c.why} [instead of: ${c.instead}]`);
  lines.push(`  - stand-in: ${IMAGES.etcd.ref} ← Debian etcd ${etcdStandIn}`);
  return lines.join("\n");
}
