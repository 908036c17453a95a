// The `slipway` command line. Each command loads only what it needs: `validate` and `schema` never
// load cdktf or a provider package, so they answer in a blink.
import { relative, resolve } from "node:path";
import { Command, CommanderError, Option } from "commander";
import { type Cluster, loadCluster } from "../clusters/model/load";
import { exitWithError } from "./errors";
import { imageCommands } from "./image";

/** The embedded demo, used when no file is given; found relative to the project, not the cwd. */
const DEMO = resolve(__dirname, "..", "clusters", "demo-openstack.yaml");

function clusterArg(file: string | undefined): string {
  if (file) return file;
  const rel = relative(process.cwd(), DEMO);
  return rel.startsWith("..") ? DEMO : rel;
}

export function program(): Command {
  const cli = new Command("slipway")
    .description("One YAML file per cluster → Terraform for Kubernetes on Flatcar (OpenStack, AWS)")
    .version(require("../package.json").version as string)
    .showHelpAfterError("(run slipway --help for usage)")
    // options before a command are slipway's own; after it they are the command's
    // (`slipway image fetch --version 4230.2.3` is not `slipway --version`)
    .enablePositionalOptions()
    .configureOutput({ outputError: (text, write) => write(`slipway: ${text}`) })
    .exitOverride();

  cli
    .command("validate")
    .description("check a cluster file and print its shape (loads no cloud provider)")
    .argument("[file]", "cluster file", undefined)
    .action((file?: string) => {
      const cluster = loadCluster(clusterArg(file));
      console.log(`${cluster.file}: ok — ${describeCluster(cluster)}`);
    });

  cli
    .command("schema")
    .description("print the JSON Schema of the cluster file (for editors: yaml-language-server)")
    .action(() => {
      const { clusterJsonSchema } = require("../clusters/model/schema") as typeof import("../clusters/model/schema");
      process.stdout.write(`${JSON.stringify(clusterJsonSchema(), null, 2)}\n`);
    });

  cli
    .command("synth")
    .description("synthesize the cluster's Terraform JSON (standard cdktf output) and print a summary")
    .argument("[file]", "cluster file (default: the embedded demo)")
    .option("-o, --out <dir>", "output directory", "cdktf.out")
    .addOption(new Option("--json", "print the summary as JSON"))
    .action(async (file: string | undefined, opts: { out: string; json?: boolean }) => {
      const cluster = loadCluster(clusterArg(file));
      // loaded only here: cdktf and the provider bindings are not needed to validate
      const { synthesize, formatSummary } = require("../stacks/app") as typeof import("../stacks/app");
      const summary = await synthesize(cluster, opts.out);
      console.log(opts.json ? JSON.stringify(summary, null, 2) : formatSummary(summary));
    });

  cli
    .command("render")
    .description("write one machine's complete Ignition config with real values from a local PKI (bare metal, QEMU, tests)")
    .argument("[file]", "cluster file (default: the embedded demo)")
    .addOption(new Option("--role <role>", "machine role").choices(["etcd", "master", "worker"]).makeOptionMandatory())
    .option("--index <n>", "which etcd member or master; for a worker, its number in the pool (host name)", "0")
    .option("--pool <name>", "worker pool (default: the first)")
    .option("--pki <dir>", "PKI directory, created on first use and reused (default: slipway-pki/<cluster>)")
    .option("--out <file>", "where to write the config (default: standard output)")
    .option("--data-device <path>", "device of the etcd data volume", "/dev/vdb")
    .option("--logs-device <path>", "device of the logs volume (default /dev/vdc; AWS pools: /dev/xvdb|/dev/nvme1n1)")
    .option("--wrapped", "write the user_data form: a stub carrying the gzip-compressed config")
    .action(async (file: string | undefined, opts: RenderCliOptions) => {
      const cluster = loadCluster(clusterArg(file));
      const { renderCommand } = require("./render") as typeof import("./render");
      await renderCommand(cluster, opts);
    });

  cli
    .command("images")
    .description("list every container image the cluster's machines pull, with its digest or why it has none")
    .argument("[file]", "cluster file (default: the embedded demo)")
    .addOption(new Option("--json", "print the list as JSON"))
    .action((file: string | undefined, opts: { json?: boolean }) => {
      const cluster = loadCluster(clusterArg(file));
      const { clusterImages, imageRef } = require("../bootstrap/versions") as typeof import("../bootstrap/versions");
      const images = clusterImages(cluster.config);
      if (opts.json)
        console.log(
          JSON.stringify(
            images.map((i) => ({ name: i.name, runs: i.runs, ...i.image, pull: imageRef(i.image) })),
            null,
            2,
          ),
        );
      else
        for (const i of images)
          console.log(
            `${i.name.padEnd(24)} ${imageRef(i.image)}\n${"".padEnd(24)} ${i.runs}${i.image.tagOnly ? `; by tag only: ${i.image.tagOnly}` : ""}`,
          );
    });

  const certs = cli.command("certs").description("the cluster's certificates: when they expire, and renewing them on the machines");
  certs
    .command("status", { isDefault: true })
    .description("list when the cluster's certificates expire, from Terraform state or a local PKI (also: slipway certs [file])")
    .argument("[file]", "cluster file (default: the embedded demo)")
    .option("--state <file>", "a Terraform state (terraform state pull > state.json)")
    .option("--pki <dir>", "a local PKI folder (default: slipway-pki/<name> if it exists)")
    .option("--within <days>", "call certificates ending within this many days due", "30")
    .addOption(new Option("--json", "print the list as JSON"))
    .addOption(new Option("--check", "exit 1 when a certificate is due (for CI)"))
    .action((file: string | undefined, opts: import("./certs").CertsOptions) => {
      const cluster = loadCluster(clusterArg(file));
      const { certsCommand } = require("./certs") as typeof import("./certs");
      const code = certsCommand(cluster, opts);
      if (code) process.exitCode = code;
    });
  certs
    .command("renew")
    .description(
      "put the certificates of a Terraform state (re-issued by terraform apply) on the running machines, one at a time, each rebooted and its tier healthy before the next",
    )
    .argument("[file]", "cluster file (default: the embedded demo)")
    .option("--state <file>", "the Terraform state (terraform state pull > state.json)")
    .addOption(new Option("--role <role>", "only this tier (default: etcd, masters, then every pool)").choices(["etcd", "master", "pool"]))
    .option("--pool <name>", "with --role pool: which worker pool")
    .option("--kubeconfig <file>", "the admin kubeconfig a pool's nodes are drained with (default: KUBECONFIG)")
    .option("--drain-timeout <seconds>", "how long a node's pods may take to leave it", "600")
    .option("--ssh <command>", 'how to reach the machines, e.g. "ssh -J core@bastion" (split at spaces)', "ssh")
    .option("--user <name>", "the machines' user with sudo", "core")
    .option("--wait <seconds>", "how long each machine may take to be back and its tier healthy", "900")
    .option("--dry-run", "say what differs on each machine, change nothing")
    .option("--yes", "do not ask for the cluster's name first")
    .action(async (file: string | undefined, opts: import("./certs-renew").CertsRenewOptions) => {
      const cluster = loadCluster(clusterArg(file));
      const { certsRenewCommand } = require("./certs-renew") as typeof import("./certs-renew");
      await certsRenewCommand(cluster, opts);
    });

  const etcd = cli.command("etcd").description("etcd tier operations");
  etcd
    .command("replace")
    .description("print the terraform apply that replaces an etcd member (its machine, or with --new-volume its volume too)")
    .argument("[file]", "cluster file (default: the embedded demo)")
    .option("--member <n>", "which member (0-based)")
    .option("--new-volume", "its data volume is lost or broken: replace it too (the member rejoins and copies the data)")
    .option("--force", "allow replacing the volume of the only member (an empty cluster)")
    .option("-o, --out <dir>", "where `slipway synth` writes (for terraform -chdir)", "cdktf.out")
    .action((file: string | undefined, opts: import("./etcd").EtcdReplaceOptions) => {
      const cluster = loadCluster(clusterArg(file));
      const { etcdReplaceCommand } = require("./etcd") as typeof import("./etcd");
      etcdReplaceCommand(cluster, opts);
    });

  etcd
    .command("restore")
    .description(
      "bring the etcd tier back from a backup: every member stopped, restored from the same snapshot into a new cluster, started",
    )
    .argument("[file]", "cluster file (default: the embedded demo)")
    .option("--from <backup>", "the backup object (as etcd-backup uploads it), a .gz of a snapshot, or a snapshot")
    .option("--pki <dir>", "the local PKI holding the backup key (default: slipway-pki/<name>)")
    .option("--state <file>", "a Terraform state holding the backup key (terraform state pull > state.json)")
    .option("--ssh <command>", 'how to reach the members, e.g. "ssh -J core@bastion" (split at spaces)', "ssh")
    .option("--user <name>", "the members' user with sudo", "core")
    .option("--wait <seconds>", "how long to wait for the restored members to be healthy", "300")
    .option("--force", "restore although a healthy quorum answers (its writes since the snapshot are lost)")
    .option("--yes", "do not ask for the cluster's name before stopping etcd")
    .action(async (file: string | undefined, opts: import("./etcd-restore").EtcdRestoreOptions) => {
      const cluster = loadCluster(clusterArg(file));
      const { etcdRestoreCommand } = require("./etcd-restore") as typeof import("./etcd-restore");
      await etcdRestoreCommand(cluster, opts);
    });

  // the options of the commands that change machines through the synthesized stack (roll, shrink)
  const withStack = (c: Command) =>
    c
      .option("-o, --out <dir>", "where `slipway synth` wrote the stack", "cdktf.out")
      .option("--stack <dir>", "a stack folder to use as it is (not compared with the cluster file)")
      .option("--terraform <program>", "terraform or tofu", "terraform");

  withStack(cli.command("roll"))
    .description(
      "replace a tier's machines one at a time (new image, Kubernetes version or configs), each step gated on the tier's health; a pool's nodes drained first",
    )
    .argument("[file]", "cluster file (default: the embedded demo)")
    .addOption(new Option("--role <role>", "which tier").choices(["etcd", "master", "pool"]))
    .option("--pool <name>", "with --role pool: which worker pool (OpenStack)")
    .option(
      "--kubeconfig <file>",
      "with --role master or pool: the admin kubeconfig the running versions are read from (and a pool drained with; default: KUBECONFIG)",
    )
    .option("--max-unavailable <n>", "with --role pool: how many nodes are replaced at once", "1")
    .option("--drain-timeout <seconds>", "with --role pool: how long a node's pods may take to leave it", "600")
    .option("--ssh <command>", 'how to reach the machines, e.g. "ssh -J core@bastion" (split at spaces)', "ssh")
    .option("--user <name>", "the machines' user with sudo", "core")
    .option("--wait <seconds>", "how long each replaced machine may take until the tier is healthy", "900")
    .option("--from <machine>", "go on from this machine (after a roll that stopped)")
    .option("--dry-run", "check health and plan each replacement, apply nothing")
    .option("--yes", "do not ask for the cluster's name first")
    .action(async (file: string | undefined, opts: import("./roll").RollOptions) => {
      const cluster = loadCluster(clusterArg(file));
      const { rollCommand } = require("./roll") as typeof import("./roll");
      await rollCommand(cluster, opts);
    });

  withStack(cli.command("shrink"))
    .description(
      "apply a lower worker pool count: the machines that go are drained first, then destroyed, then their Node objects removed (OpenStack)",
    )
    .argument("[file]", "cluster file (default: the embedded demo)")
    .option("--kubeconfig <file>", "the admin kubeconfig the nodes are drained with (default: KUBECONFIG)")
    .option("--drain-timeout <seconds>", "how long a node's pods may take to leave it", "600")
    .option("--dry-run", "say which machines would go, drain and apply nothing")
    .option("--yes", "do not ask for the cluster's name first")
    .action(async (file: string | undefined, opts: import("./shrink").ShrinkOptions) => {
      const cluster = loadCluster(clusterArg(file));
      const { shrinkCommand } = require("./shrink") as typeof import("./shrink");
      await shrinkCommand(cluster, opts);
    });

  cli
    .command("addons")
    .description("print the addon bundle the masters apply (charts, values, objects), or write it as plain YAML for review or GitOps")
    .argument("[file]", "cluster file (default: the embedded demo)")
    .option("--out <dir>", "write it into this folder (a new or empty one, or one slipway wrote before) with a kustomization.yaml")
    .action((file: string | undefined, opts: { out?: string }) => {
      const cluster = loadCluster(clusterArg(file));
      const { addonsCommand } = require("./addons") as typeof import("./addons");
      addonsCommand(cluster, opts.out);
    });

  cli
    .command("diagram")
    .description("draw the cluster as an SVG: network and zones, machines, volumes, public addresses, allowed flows")
    .argument("[file]", "cluster file (default: the embedded demo)")
    .option("--out <file>", "write the SVG here (a new file, or one slipway drew before); default: standard output")
    .action(async (file: string | undefined, opts: { out?: string }) => {
      const cluster = loadCluster(clusterArg(file));
      const { diagramCommand } = require("./diagram") as typeof import("./diagram");
      await diagramCommand(cluster, opts.out);
    });

  const ci = cli.command("ci").description("CI pipelines for a repository of cluster files, and the summary their plan jobs print");
  for (const kind of ["gitlab", "github"] as const)
    ci.command(kind)
      .description(
        kind === "gitlab"
          ? "write a .gitlab-ci.yml: validate, synth and plan every cluster file on merge requests, apply on the main branch behind a manual approval per region"
          : "write a GitHub Actions workflow (.github/workflows/slipway.yml): the same, approvals by environment reviewers",
      )
      .option("--clusters <dir>", "the folder of cluster files, relative to the repository's root", "clusters")
      .option("--out <file>", "write it here (a new file, or one slipway ci wrote before); default: standard output")
      .option("--terraform <tool>", "terraform or tofu", "terraform")
      .option("--branch <name>", "the branch whose pipelines apply", "main")
      .action((opts: { clusters: string; out?: string; terraform: string; branch: string }) => {
        const { ciCommand } = require("./ci") as typeof import("./ci");
        ciCommand(kind, opts);
      });
  ci.command("summary")
    .description("print the summary of a saved plan (terraform show -json PLAN > plan.json): counts and every resource that changes")
    .argument("<plan.json>", "the plan as JSON")
    .option("--gitlab-report <file>", "also write GitLab's Terraform report (its counts) here")
    .action((file: string, opts: { gitlabReport?: string }) => {
      const { planSummary } = require("./ci") as typeof import("./ci");
      process.stdout.write(planSummary(file, opts.gitlabReport));
    });

  const traffic = cli
    .command("traffic")
    .description("blue/green: move a site's public names between clusters (Cloudflare CNAMEs; token in CLOUDFLARE_API_TOKEN)");
  const site = async (file: string) => {
    const { loadSite } = require("../clusters/model/site") as typeof import("../clusters/model/site");
    const loaded = loadSite(file);
    const { Dns } = require("./traffic-dns") as typeof import("./traffic-dns");
    return { loaded, dns: Dns.fromEnvironment(loaded.zone), traffic: require("./traffic") as typeof import("./traffic") };
  };
  traffic
    .command("status")
    .description("what the site's names point at in Cloudflare, against what the site file says")
    .argument("<site>", "site file")
    .addOption(new Option("--check", "exit 1 when Cloudflare differs from the site file (for CI)"))
    .action(async (file: string, opts: { check?: boolean }) => {
      const { loaded, dns, traffic: t } = await site(file);
      if (!(await t.trafficStatus(dns, loaded)) && opts.check) process.exitCode = 1;
    });
  traffic
    .command("switch")
    .description("point the names at a cluster: print the record diff, check the cluster's API and ingress, then change the records")
    .argument("<site>", "site file")
    .option("--to <cluster>", "the cluster (by name) to switch its region to (default: every region to its live: in the file)")
    .option("--dry-run", "print the diff and run the checks, change nothing")
    .option("--no-wait", "after lowering a long TTL, do not wait for it to run out")
    .option("--no-check", "change the records without checking the target (an emergency)")
    .action(async (file: string, opts: import("./traffic").SwitchOptions) => {
      const { loaded, dns, traffic: t } = await site(file);
      await t.trafficSwitch(dns, loaded, opts);
    });
  traffic
    .command("rollback")
    .description("put the records of the latest switch (even a halted one) back to what they were, at once and without checks")
    .argument("<site>", "site file")
    .option("--dry-run", "print the diff, change nothing")
    .action(async (file: string, opts: { dryRun?: boolean }) => {
      const { loaded, dns, traffic: t } = await site(file);
      await t.trafficRollback(dns, loaded, opts);
    });

  imageCommands(cli);
  return cli;
}

export interface RenderCliOptions {
  role: "etcd" | "master" | "worker";
  index: string;
  pool?: string;
  pki?: string;
  out?: string;
  dataDevice: string;
  logsDevice?: string;
  wrapped?: boolean;
}

export function describeCluster(c: Cluster): string {
  const workers = c.plan.pools.reduce((n, p) => n + p.count, 0);
  return (
    `${c.config.name} on ${c.config.cloud}: ${c.plan.etcd.length} etcd, ${c.plan.masters.length} masters, ` +
    `${workers} workers in ${c.plan.pools.length} pool${c.plan.pools.length === 1 ? "" : "s"}, Kubernetes ${c.config.kubernetes.version}`
  );
}

export async function main(argv: string[]): Promise<void> {
  try {
    await program().parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version "errors" are normal exits
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") process.exit(0);
      process.exit(2); // commander already printed the message
    }
    exitWithError(e);
  }
}

if (require.main === module || process.argv[1]?.endsWith("slipway.js") || process.argv[1]?.endsWith("slipway")) {
  void main(process.argv);
}
