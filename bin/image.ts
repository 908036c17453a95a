// `slipway image …`: fetch, build and upload Flatcar images (images/).
import { type Command, Option } from "commander";
import { UsageError } from "./errors";

export function imageCommands(cli: Command): void {
  const image = cli.command("image").description("fetch, bake and upload Flatcar images");

  image
    .command("fetch")
    .description("download Flatcar's OpenStack image, verify its signature and SHA-512, and cache it")
    .addOption(new Option("--channel <channel>", "release channel").choices(["stable", "beta", "alpha", "lts"]).default("stable"))
    .option("--version <version>", "release version, or current", "current")
    .addOption(new Option("--arch <arch>", "architecture").choices(["amd64", "arm64"]).default("amd64"))
    .option("--base-url <url>", "release server (a mirror)")
    .option("--signing-key <file>", "Flatcar's image signing key (default: the one shipped with slipway)")
    .option("--cache-dir <dir>", "image cache (default: $SLIPWAY_CACHE or ~/.cache/slipway/images)")
    .action(
      async (opts: { channel: "stable"; version: string; arch: "amd64"; baseUrl?: string; signingKey?: string; cacheDir?: string }) => {
        if (opts.version !== "current" && !/^\d+\.\d+\.\d+$/.test(opts.version))
          throw new UsageError(`--version must be a release such as 4230.2.3, or current; not "${opts.version}"`);
        if (opts.baseUrl && !/^https?:\/\//.test(opts.baseUrl))
          throw new UsageError(`--base-url must be an http(s) URL, not "${opts.baseUrl}"`);
        const { fetchImage } = require("../images/fetch") as typeof import("../images/fetch");
        const r = await fetchImage(opts);
        process.stdout.write(`${r.path}\n`);
      },
    );
}
