// Progress for long transfers: a bar with bytes and rate on a terminal (cli-progress), plain
// lines every 10 % (and at the end) otherwise — CI logs stay readable.
import { SingleBar } from "cli-progress";

export interface Progress {
  tick(bytes: number): void;
  done(): void;
}

const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;

export function progress(label: string, total: number | undefined, out: NodeJS.WriteStream = process.stderr): Progress {
  const start = Date.now();
  let seen = 0;
  const rate = () => `${mib(seen / Math.max((Date.now() - start) / 1000, 0.001))}/s`;
  if (out.isTTY && total) {
    const bar = new SingleBar({
      format: `${label} [{bar}] {percentage}% {value_mib}/{total_mib} {rate}`,
      hideCursor: true,
      stream: out,
      clearOnComplete: false,
    });
    bar.start(total, 0, { value_mib: mib(0), total_mib: mib(total), rate: "" });
    return {
      tick(n) {
        seen += n;
        bar.update(seen, { value_mib: mib(seen), total_mib: mib(total), rate: rate() });
      },
      done() {
        bar.stop();
      },
    };
  }
  let nextReport = 0.1;
  return {
    tick(n) {
      seen += n;
      if (total && seen / total >= nextReport) {
        out.write(`${label}: ${Math.floor((seen / total) * 100)}% (${mib(seen)} of ${mib(total)}, ${rate()})\n`);
        while (seen / total >= nextReport) nextReport += 0.1;
      }
    },
    done() {
      out.write(`${label}: done, ${mib(seen)} in ${((Date.now() - start) / 1000).toFixed(1)} s (${rate()})\n`);
    },
  };
}
