// Real virtual machines for the VM tier (test/vm.test.ts): qemu-system-x86_64 under software
// emulation, each machine booting Debian's kernel on a root disk made from the cached base image
// (test/vm/base-image.sh) with the machine's rendered Ignition config applied by the real
// ignition binary, its tap device on a bridge inside a network namespace the test made (the
// machines at their planned addresses; nothing leaves the namespace). Everything differing from a
// Flatcar machine on OpenStack is declared in test/vm/emulation.ts.
//
// Every qemu process, the metadata server and the namespace (with its bridge and taps) belong to a
// Lab and are removed by PID and name in close(), also when the test fails or its process exits.
import { execFile, spawnSync } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ETCD_JOIN_ENV } from "../../bootstrap/parts/etcd-member";
import { BASE, ETCD_TCG_SETTINGS, MASKED_UNITS } from "../vm/emulation";
import { ignitionApply, requireTool } from "./ignition";
import { Lab, type LabProcess } from "./lab";

const VM_DIR = join(__dirname, "..", "vm");
const BASE_INPUTS = ["base-image.sh", "docker-wrapper.sh", "update-engine-client.sh", "mask-generator.sh"];
const METADATA_IP = "169.254.169.254";
const HOST_ENV = { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin" };

export interface BaseImage {
  dir: string;
  rootfs: string;
  kernel: string;
  initrd: string;
  etcdStandIn: string;
  built: boolean;
  seconds: number;
}

/** The Debian mirror apt uses here (debootstrap needs one); deb.debian.org otherwise. */
function aptMirror(): string {
  const sources = "/etc/apt/sources.list.d/debian.sources";
  if (existsSync(sources)) {
    const m = /^URIs:\s*(\S+\/debian)\s*$/m.exec(readFileSync(sources, "utf8"));
    if (m) return m[1] as string;
  }
  return "http://deb.debian.org/debian";
}

/**
 * The base image, built once per machine and kept under SLIPWAY_VM_CACHE (default
 * /var/cache/slipway/vm), keyed by everything the build reads: the package list, the suite, the
 * mirror, the kernel arguments and the build's own files.
 */
export function baseImage(): BaseImage {
  for (const [tool, pkg] of [
    ["/usr/sbin/debootstrap", "debootstrap"],
    ["/usr/bin/qemu-system-x86_64", "qemu-system-x86"],
    ["/usr/bin/ssh", "openssh-client"],
    ["/usr/bin/flock", "util-linux"],
    ["/usr/bin/setpriv", "util-linux"],
  ] as const)
    requireTool(tool, pkg);
  const mirror = aptMirror();
  const hash = createHash("sha256").update(JSON.stringify({ BASE, mirror }));
  for (const f of BASE_INPUTS) hash.update(readFileSync(join(VM_DIR, f)));
  const key = hash.digest("hex").slice(0, 16);
  const cache = process.env.SLIPWAY_VM_CACHE ?? "/var/cache/slipway/vm";
  mkdirSync(cache, { recursive: true });
  const dir = join(cache, `base-${key}`);
  const started = Date.now();
  let built = false;
  if (!existsSync(join(dir, "base.json"))) {
    // one build at a time per machine: a second run waits for the first and then finds it
    const r = spawnSync(
      "flock",
      [join(cache, ".lock"), "bash", "-c", `[ -f '${dir}/base.json' ] || bash '${join(VM_DIR, "base-image.sh")}' '${dir}'`],
      {
        env: { ...process.env, VM_PACKAGES: BASE.packages.join(" "), VM_SUITE: BASE.suite, VM_MIRROR: mirror },
        encoding: "utf8",
        timeout: 30 * 60_000,
      },
    );
    if (r.status !== 0) throw new Error(`building the VM base image failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
    built = true;
  }
  const info = JSON.parse(readFileSync(join(dir, "base.json"), "utf8")) as { etcd: string };
  return {
    dir,
    rootfs: join(dir, "rootfs"),
    kernel: join(dir, "vmlinuz"),
    initrd: join(dir, "initrd.img"),
    etcdStandIn: info.etcd,
    built,
    seconds: (Date.now() - started) / 1000,
  };
}

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], timeoutMs: number, input?: string): Promise<Result> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { encoding: "utf8", timeout: timeoutMs, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

export interface MachineSpec {
  /** host name, e.g. demo-etcd-0 */
  name: string;
  ip: string;
  /** the rendered Ignition config, exactly as `slipway render` wrote it */
  config: string;
  /** extra disks (data volumes), attached in order as /dev/vdb, /dev/vdc */
  disks?: string[];
}

export interface Vm {
  spec: MachineSpec;
  /** instance number of this machine name: 0 first, 1 after one replacement, … */
  generation: number;
  uuid: string;
  mac: string;
  process: LabProcess;
  serialLog: string;
}

export class VmLab {
  readonly lab: Lab;
  readonly base: BaseImage;
  readonly vms = new Map<string, Vm>();
  private readonly metadataFile: string;
  private readonly generations = new Map<string, number>();
  private taps = 0;

  constructor(
    readonly dir: string,
    readonly sshKey: string,
    gatewayCidr: string,
  ) {
    this.base = baseImage();
    this.lab = new Lab(dir, "vm");
    this.lab.bridgeAddress(gatewayCidr);
    this.lab.bridgeAddress(`${METADATA_IP}/32`);
    this.metadataFile = join(dir, "metadata.json");
    writeFileSync(this.metadataFile, "{}");
    // Nova's metadata service: a uuid per instance, looked up by the asking machine's address
    const program = `
      const fs = require("node:fs"), http = require("node:http");
      http.createServer((req, res) => {
        const ip = req.socket.remoteAddress.replace(/^::ffff:/, "");
        const uuid = JSON.parse(fs.readFileSync(process.argv[1], "utf8"))[ip];
        if (!uuid || req.url !== "/openstack/latest/meta_data.json") return res.writeHead(404).end();
        res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ uuid, availability_zone: "nova" }));
      }).listen(80, "${METADATA_IP}");`;
    this.lab.start("metadata", this.lab.switchNamespace, [process.execPath, "-e", program, this.metadataFile], HOST_ENV);
  }

  /** A new empty disk (sparse file) for a data volume. */
  disk(name: string, sizeMiB = 1024): string {
    const path = join(this.dir, `${name}.img`);
    writeFileSync(path, "", { flag: "wx" });
    truncateSync(path, sizeMiB << 20);
    return path;
  }

  /**
   * Boot a new instance: a fresh root disk from the base with the config applied, a new uuid in
   * the metadata service, the given data disks attached. The previous instance of the same name
   * must have been destroyed.
   */
  boot(spec: MachineSpec): Vm {
    if (this.vms.has(spec.name)) throw new Error(`${spec.name} is running; destroy it first`);
    const generation = (this.generations.get(spec.name) ?? -1) + 1;
    this.generations.set(spec.name, generation);
    const id = `${spec.name}-${generation}`;
    const tree = join(this.dir, `${id}.root`);
    const rootDisk = join(this.dir, `${id}.root.img`);
    try {
      // cp -a: device nodes, owners, modes, links and times as the base has them
      const cp = spawnSync("cp", ["-a", this.base.rootfs, tree], { encoding: "utf8" });
      if (cp.status !== 0) throw new Error(`copying the base root failed: ${cp.stderr}`);
      ignitionApply(spec.config, tree);
      // the file the helper leaves for Debian's SELinux-enabled Ignition build; Flatcar's root has its own
      rmSync(join(tree, "etc", "selinux"), { recursive: true, force: true });
      const mac = `52:54:00:${spec.ip
        .split(".")
        .slice(1)
        .map((o) => Number(o).toString(16).padStart(2, "0"))
        .join(":")}`;
      mkdirSync(join(tree, "etc", "systemd", "network"), { recursive: true });
      writeFileSync(
        join(tree, "etc", "systemd", "network", "10-emulation.network"),
        `# emulation (test/vm/emulation.ts): the planned fixed address Neutron's DHCP would hand out\n[Match]\nMACAddress=${mac}\n\n[Network]\nAddress=${spec.ip}/${this.prefixLength}\nGateway=${this.gateway}\n`,
      );
      mkdirSync(join(tree, "etc", "slipway-emulation"), { recursive: true });
      writeFileSync(join(tree, "etc", "slipway-emulation", "masked-units"), MASKED_UNITS.map((m) => `${m.unit} # ${m.why}\n`).join(""));
      if (existsSync(join(tree, "etc", "systemd", "system", "etcd-member.service"))) {
        const dropIn = join(tree, "etc", "systemd", "system", "etcd-member.service.d");
        mkdirSync(dropIn, { recursive: true });
        const settings = Object.entries(ETCD_TCG_SETTINGS)
          .map(([k, v]) => `${k}=${v}`)
          .join("\\n");
        writeFileSync(
          join(dropIn, "90-emulation.conf"),
          `# emulation (test/vm/emulation.ts): etcd timing and bcrypt cost for software emulation\n[Service]\nExecStartPre=/bin/sh -c 'printf "${settings}\\n" >> ${ETCD_JOIN_ENV}'\n`,
        );
      }
      const mk = spawnSync("mke2fs", ["-q", "-t", "ext4", "-L", "root", "-d", tree, rootDisk, "3G"], { encoding: "utf8" });
      if (mk.status !== 0) throw new Error(`mke2fs of ${rootDisk} failed: ${mk.stderr}`);
      const uuid = randomUUID();
      const metadata = JSON.parse(readFileSync(this.metadataFile, "utf8")) as Record<string, string>;
      metadata[spec.ip] = uuid;
      writeFileSync(this.metadataFile, JSON.stringify(metadata));
      const tap = `tap${++this.taps}`;
      this.lab.tap(tap);
      const serialLog = join(this.dir, `${id}.serial.log`);
      const drives = [rootDisk, ...(spec.disks ?? [])].flatMap((f) => ["-drive", `file=${f},format=raw,if=virtio,cache=unsafe`]);
      // the VM dies with the test process however that ends (the lab's parent-death signal);
      // close() kills it by PID otherwise
      const process_ = this.lab.start(
        id,
        this.lab.switchNamespace,
        [
          "qemu-system-x86_64",
          "-accel",
          "tcg",
          "-m",
          "1024",
          "-smp",
          "1",
          "-nodefaults",
          "-no-user-config",
          "-display",
          "none",
          "-serial",
          `file:${serialLog}`,
          "-kernel",
          this.base.kernel,
          "-initrd",
          this.base.initrd,
          "-append",
          BASE.kernelArgs,
          ...drives,
          "-netdev",
          `tap,id=n0,ifname=${tap},script=no,downscript=no`,
          "-device",
          `virtio-net-pci,netdev=n0,mac=${mac}`,
          "-object",
          "rng-random,filename=/dev/urandom,id=rng0",
          "-device",
          "virtio-rng-pci,rng=rng0",
        ],
        HOST_ENV,
      );
      const vm: Vm = { spec, generation, uuid, mac, process: process_, serialLog };
      this.vms.set(spec.name, vm);
      return vm;
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  }

  /** Instance loss: the VM is killed (SIGKILL, no shutdown) and its root disk deleted; data disks stay. */
  async destroy(name: string): Promise<void> {
    const vm = this.vms.get(name);
    if (!vm) return;
    await this.lab.kill(vm.process);
    rmSync(join(this.dir, `${name}-${vm.generation}.root.img`), { force: true });
    this.vms.delete(name);
  }

  /** A command as root on a machine, over ssh from the namespace (the core user, its key from the cluster file). */
  ssh(name: string, command: string, timeoutMs = 120_000): Promise<Result> {
    const vm = this.vms.get(name);
    if (!vm) throw new Error(`${name} is not running`);
    return run(
      "ip",
      [
        "netns",
        "exec",
        this.lab.switchNamespace,
        "ssh",
        "-i",
        this.sshKey,
        // errors only (no "Permanently added" notes), so a failure says why
        "-o",
        "LogLevel=ERROR",
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "ConnectTimeout=15",
        "-o",
        "BatchMode=yes",
        `core@${vm.spec.ip}`,
        `sudo bash -c ${shellQuote(command)}`,
      ],
      timeoutMs,
    );
  }

  /** A command inside the namespace (etcdctl from Debian, curl): the outside view of the machines. */
  outside(command: string[], timeoutMs = 60_000, input?: string): Promise<Result> {
    return run("ip", ["netns", "exec", this.lab.switchNamespace, ...command], timeoutMs, input);
  }

  private get gateway(): string {
    return this.gatewayCidr.split("/")[0] as string;
  }

  private get prefixLength(): string {
    return this.gatewayCidr.split("/")[1] as string;
  }

  private get gatewayCidr(): string {
    return this.lab.bridgeAddresses[0] as string;
  }

  async close(): Promise<void> {
    await this.lab.close();
  }
}

export const shellQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/** Poll `check` every `everyMs` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, everyMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? `: ${last}` : ""}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
