// `slipway image …`: fetch, build and upload Flatcar images (images/). Arguments are checked here,
// before anything is downloaded or written; the work is in images/, loaded only when needed.
import { type Command, Option } from "commander";
import { UsageError } from "./errors";

interface ReleaseOpts {
  channel: "stable" | "beta" | "alpha" | "lts";
  version: string;
  arch: "amd64" | "arm64";
  baseUrl?: string;
  signingKey?: string;
  cacheDir?: string;
}

/** The options naming a Flatcar release, shared by fetch and build. */
function releaseOptions(c: Command): Command {
  return c
    .addOption(new Option("--channel <channel>", "release channel").choices(["stable", "beta", "alpha", "lts"]).default("stable"))
    .option("--version <version>", "release version, or current", "current")
    .addOption(new Option("--arch <arch>", "architecture").choices(["amd64", "arm64"]).default("amd64"))
    .option("--base-url <url>", "release server (a mirror); default https://<channel>.release.flatcar-linux.net")
    .option("--signing-key <file>", "Flatcar's image signing key (default: the one shipped with slipway)")
    .option("--cache-dir <dir>", "slipway's cache (default: $SLIPWAY_CACHE or ~/.cache/slipway)");
}

function checkRelease(opts: ReleaseOpts): ReleaseOpts {
  if (opts.version !== "current" && !/^\d+\.\d+\.\d+$/.test(opts.version))
    throw new UsageError(`--version must be a release such as 4230.2.3, or current; not "${opts.version}"`);
  if (opts.baseUrl && !/^https?:\/\//.test(opts.baseUrl)) throw new UsageError(`--base-url must be an http(s) URL, not "${opts.baseUrl}"`);
  return opts;
}

export function imageCommands(cli: Command): void {
  const image = cli.command("image").description("fetch, bake and upload Flatcar images");

  releaseOptions(
    image.command("fetch").description("download Flatcar's OpenStack image, verify its signature and SHA-512, and cache it"),
  ).action(async (opts: ReleaseOpts) => {
    const { fetchImage } = require("../images/fetch") as typeof import("../images/fetch");
    const r = await fetchImage(checkRelease(opts));
    process.stdout.write(`${r.path}\n`);
  });

  releaseOptions(
    image
      .command("build")
      .description("make an image for Glance from a verified Flatcar release (or --image), optionally with Kubernetes baked in")
      .option("--image <file>", "start from this disk image instead of a Flatcar release")
      .option("--bake-kubernetes <file|url#sha512=hex>", "Flatcar's Kubernetes system extension to bake in (kubelet, kubectl, CNI plugins)")
      .option(
        "--kubernetes-version <version>",
        "its Kubernetes version, when the file name does not say (kubernetes-v1.36.1-x86-64.raw does)",
      )
      .option("--out <file>", "where to write the image (default: ./flatcar-<channel>-<version>-<arch>[-kubernetes-<v>].qcow2)")
      .addOption(new Option("--format <format>", "output format").choices(["qcow2", "raw"]).default("qcow2"))
      .option("--compress", "compress the qcow2 (smaller upload, slower build)")
      .addOption(
        new Option("--method <method>", "how to write into the image: loop (needs root), debugfs (no root), auto")
          .choices(["auto", "loop", "debugfs"])
          .default("auto"),
      ),
  ).action(
    async (
      opts: ReleaseOpts & {
        image?: string;
        bakeKubernetes?: string;
        kubernetesVersion?: string;
        out?: string;
        format: "qcow2" | "raw";
        compress?: boolean;
        method: "auto" | "loop" | "debugfs";
      },
    ) => {
      checkRelease(opts);
      if (opts.kubernetesVersion && !/^\d+\.\d+\.\d+$/.test(opts.kubernetesVersion))
        throw new UsageError(`--kubernetes-version must be a release such as 1.36.1, not "${opts.kubernetesVersion}"`);
      if (opts.kubernetesVersion && !opts.bakeKubernetes)
        throw new UsageError("--kubernetes-version only makes sense with --bake-kubernetes");
      if (opts.compress && opts.format !== "qcow2") throw new UsageError("--compress needs --format qcow2");
      if (opts.method === "loop" && process.getuid?.() !== 0)
        throw new UsageError("--method loop needs root (loop devices and mount); use --method debugfs");
      const { buildImage } = require("../images/build") as typeof import("../images/build");
      const built = await buildImage({
        image: opts.image,
        release: {
          channel: opts.channel,
          version: opts.version,
          arch: opts.arch,
          baseUrl: opts.baseUrl,
          signingKey: opts.signingKey,
          cacheDir: opts.cacheDir,
        },
        bake: opts.bakeKubernetes,
        kubernetesVersion: opts.kubernetesVersion,
        out: opts.out,
        format: opts.format,
        compress: opts.compress,
        method: opts.method,
      });
      process.stdout.write(`${built.path}\n`);
    },
  );
}
