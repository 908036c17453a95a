// `slipway etcd replace [file] --member N [--new-volume]`: how to replace a lost or broken etcd
// member, as the exact `terraform apply -replace=…` to run. The machine does the rest itself
// (bootstrap/scripts/etcd-join.sh): with its volume kept it starts as itself and catches up; with a
// new, empty volume it is removed from the cluster and added again, and copies the data from the
// others — never a fresh member under its old name. So no etcdctl by hand.
import { printable } from "../clusters/model/errors";
import type { Cluster } from "../clusters/model/load";
import { wholeNumber } from "./render";
import { UsageError, UserError } from "./errors";

export interface EtcdReplaceOptions {
  member?: string;
  newVolume?: boolean;
  force?: boolean;
  out: string;
}

export function etcdReplaceCommand(cluster: Cluster, opts: EtcdReplaceOptions): void {
  const { plan, config } = cluster;
  if (opts.member === undefined) throw new UsageError("give --member N: which etcd member to replace");
  const n = plan.etcd.length;
  const index = wholeNumber("--member", opts.member);
  const member = plan.etcd[index];
  if (!member) throw new UsageError(`--member must be one of 0..${n - 1} (the cluster has ${n} etcd member${n === 1 ? "" : "s"})`);
  if (opts.newVolume && n === 1 && !opts.force)
    throw new UserError(
      `${member.name} is the only etcd member: its volume holds the whole cluster, and a new one starts an empty cluster. ` +
        "Restore from a backup instead (or give --force to start over)",
    );

  const { stackName, addresses } = (require("../stacks/app") as typeof import("../stacks/app")).resourceAddresses(cluster);
  const named = (name: string) => {
    const a = addresses.find((x) => x.slice(x.indexOf(".") + 1) === name);
    if (!a) throw new Error(`the synthesized stack has no resource ${name}`);
    return a;
  };
  const targets = [named(`etcd_${index}`), ...(opts.newVolume ? [named(`etcd_${index}_data`), named(`etcd_${index}_data_attach`)] : [])];
  const tolerated = Math.floor((n - 1) / 2);
  const lines = [
    `Replacing etcd member ${member.name} (${member.ip}) of ${config.name}:`,
    opts.newVolume
      ? "  a new machine and a new, empty data volume: at its first start the machine removes the old member from the cluster, adds itself again and copies the data from the other members."
      : "  a new machine with the same address and the same data volume: it starts as itself and catches up with the others.",
    `  The cluster keeps working while ${n - tolerated} of its ${n} members run: replace one member at a time, and wait until all are healthy again before the next.`,
  ];
  if (opts.newVolume && config.etcd.preventDestroy)
    lines.push(
      "  etcd.preventDestroy is true: Terraform refuses to destroy the volume. Set it to false for this one apply, synthesize, and set it back after.",
    );
  lines.push("", `terraform -chdir=${printable(`${opts.out}/stacks/${stackName}`)} apply ${targets.map((t) => `-replace=${t}`).join(" ")}`);
  console.log(lines.join("\n"));
}
