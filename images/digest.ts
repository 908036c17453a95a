// SHA-512 while bytes stream past (downloads, uploads, copies), and of a whole file.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

export interface Hasher {
  transform: Transform;
  digest(): string;
  bytes(): number;
}

export function hasher(onBytes?: (n: number) => void): Hasher {
  const hash = createHash("sha512");
  let bytes = 0;
  const transform = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      onBytes?.(chunk.length);
      done(null, chunk);
    },
  });
  return { transform, digest: () => hash.digest("hex"), bytes: () => bytes };
}

export async function sha512File(file: string, onBytes?: (n: number) => void): Promise<string> {
  const hash = createHash("sha512");
  await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) {
      hash.update(chunk);
      onBytes?.(chunk.length);
    }
  });
  return hash.digest("hex");
}
